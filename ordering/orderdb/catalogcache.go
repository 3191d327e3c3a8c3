package orderdb

import (
	"sync"

	"github.com/sizerun/sizerun/catalog"
	"github.com/sizerun/sizerun/ordering"
)

// catalogCache keeps the seasons and styles that order transactions read,
// under the catalogue version (table catalog_version, migration 00100) that
// the reading transaction saw before it read them. A transaction that sees
// version v may use what was read under v: every write to the catalogue
// raises the version in its own transaction, so data kept under v is never
// older than v, and a transaction that sees a later version finds nothing
// kept under it until it reads the data itself. The cache only saves
// reads; PostgreSQL stays the one place of state (scaling.md), and several
// servers each keep their own.
//
// Entries are shared between goroutines and must not be modified.
type catalogCache struct {
	mu      sync.Mutex
	version int64
	seasons map[string]catalog.Season
	styles  map[styleKey]ordering.StyleInfo
}

type styleKey struct {
	season, priceList int
	code              string
}

// maxCachedStyles bounds the cache (a style is a few KB): past it, the
// styles kept so far are dropped and the cache fills again.
const maxCachedStyles = 4096

func newCatalogCache() *catalogCache {
	return &catalogCache{seasons: map[string]catalog.Season{}, styles: map[styleKey]ordering.StyleInfo{}}
}

// at makes version the one kept, dropping everything kept under an earlier
// one; it reports false when version is older than the one kept (the
// caller then neither reads nor keeps anything). c.mu must be held.
func (c *catalogCache) at(version int64) bool {
	switch {
	case version < c.version:
		return false
	case version > c.version:
		c.version = version
		clear(c.seasons)
		clear(c.styles)
	}
	return true
}

func (c *catalogCache) season(version int64, code string) (catalog.Season, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if version != c.version {
		return catalog.Season{}, false
	}
	se, ok := c.seasons[code]
	return se, ok
}

func (c *catalogCache) putSeason(version int64, code string, se catalog.Season) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at(version) {
		c.seasons[code] = se
	}
}

// styles returns the kept styles of codes into out, and the codes not kept.
func (c *catalogCache) getStyles(version int64, season, priceList int, codes []string, out map[string]ordering.StyleInfo) (missing []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if version != c.version {
		return codes
	}
	for _, code := range codes {
		if si, ok := c.styles[styleKey{season, priceList, code}]; ok {
			out[code] = si
		} else {
			missing = append(missing, code)
		}
	}
	return missing
}

func (c *catalogCache) putStyles(version int64, season, priceList int, styles map[string]ordering.StyleInfo) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.at(version) {
		return
	}
	if len(c.styles)+len(styles) > maxCachedStyles {
		clear(c.styles)
	}
	for code, si := range styles {
		c.styles[styleKey{season, priceList, code}] = si
	}
}
