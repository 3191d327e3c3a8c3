package portal

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/sizerun/sizerun/templates"
)

// assets are the embedded static files with a content hash each. Templates
// link them as /static/NAME?v=HASH (the asset function), which browsers may
// cache for a year: a new release changes the hash.
type assets struct {
	files map[string]asset
}

type asset struct {
	data        []byte
	hash        string
	contentType string
}

func loadAssets() (*assets, error) {
	a := &assets{files: map[string]asset{}}
	static := templates.Static()
	err := fs.WalkDir(static, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(static, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		ct := mime.TypeByExtension(path.Ext(name))
		if ct == "" {
			ct = http.DetectContentType(b)
		}
		a.files[name] = asset{data: b, hash: hex.EncodeToString(sum[:])[:12], contentType: ct}
		return nil
	})
	return a, err
}

// url returns the versioned URL of a static file.
func (a *assets) url(name string) string {
	f, ok := a.files[name]
	if !ok {
		return "/static/" + name
	}
	return "/static/" + name + "?v=" + f.hash
}

// serveStatic serves /static/NAME: for a year, immutable, when the request
// names the current version; for five minutes otherwise. ETags answer
// revalidations with 304.
func (p *Portal) serveStatic(c echo.Context) error {
	name := c.Param("*")
	f, ok := p.static.files[name]
	if !ok {
		return echo.ErrNotFound
	}
	h := c.Response().Header()
	if c.QueryParam("v") == f.hash {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "public, max-age=300")
	}
	h.Set("ETag", `"`+f.hash+`"`)
	h.Set("Content-Type", f.contentType)
	http.ServeContent(c.Response(), c.Request(), name, time.Time{}, bytes.NewReader(f.data))
	return nil
}
