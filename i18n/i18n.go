// Package i18n owns Sizerun's user-interface text in English, Simplified
// Chinese and Korean: the message catalogues, lookup of a message by key, and
// the choice of a language for a request (the user's explicit choice first,
// then the browser's Accept-Language, then English).
//
// Keys are dotted names ("nav.orders"); every catalogue has the same keys, which
// the package's tests enforce, as they do for every key the templates use.
package i18n

import (
	"fmt"
	"sort"

	"golang.org/x/text/language"
)

// Default is the language used when nothing else decides.
const Default = "en"

// Language is one language the portal speaks.
type Language struct {
	Code  string // "en", "zh", "ko": the value stored as a user's locale
	Label string // the language's own name, for the switcher
	HTML  string // the value of <html lang>
}

// languages are the supported languages in the order the switcher shows them.
var languages = []Language{
	{Code: "zh", Label: "中文", HTML: "zh-Hans"},
	{Code: "ko", Label: "한국어", HTML: "ko"},
	{Code: "en", Label: "English", HTML: "en"},
}

// catalogues merge the core messages with each feature area's own file
// (orders.go, imports.go, planning.go, dealers.go), so areas are edited independently.
var catalogues = map[string]map[string]string{
	"en": merge(en, ordersEN, planningEN, dealersEN, importsEN, planreportEN),
	"zh": merge(zh, ordersZH, planningZH, dealersZH, importsZH, planreportZH),
	"ko": merge(ko, ordersKO, planningKO, dealersKO, importsKO, planreportKO),
}

// merge returns one catalogue from several; a key defined twice is a bug
// that panics at start-up (and in the tests).
func merge(parts ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, p := range parts {
		for k, v := range p {
			if _, dup := out[k]; dup {
				panic("i18n: message key defined twice: " + k)
			}
			out[k] = v
		}
	}
	return out
}

// The matcher's first tag is the fallback; its order follows matchCodes.
var (
	matchCodes = []string{"en", "zh", "ko"}
	matcher    = language.NewMatcher([]language.Tag{
		language.English, language.SimplifiedChinese, language.Korean,
	})
)

// Languages returns the supported languages in switcher order.
func Languages() []Language { return append([]Language(nil), languages...) }

// Supported reports whether code is a supported language code.
func Supported(code string) bool {
	_, ok := catalogues[code]
	return ok
}

// HTMLLang returns the <html lang> value for a language code.
func HTMLLang(code string) string {
	for _, l := range languages {
		if l.Code == code {
			return l.HTML
		}
	}
	return Default
}

// Label returns the language's own name ("中文") or code itself if unknown.
func Label(code string) string {
	for _, l := range languages {
		if l.Code == code {
			return l.Label
		}
	}
	return code
}

// T returns the message for key in lang, formatted with args (fmt verbs) when
// there are any. A key missing in lang falls back to English; a key missing
// everywhere is returned as is, so that tests can find it on a page.
func T(lang, key string, args ...any) string {
	msg, ok := catalogues[lang][key]
	if !ok {
		if msg, ok = en[key]; !ok {
			return key
		}
	}
	if len(args) > 0 {
		return fmt.Sprintf(msg, args...)
	}
	return msg
}

// Has reports whether the catalogue of lang has key.
func Has(lang, key string) bool {
	_, ok := catalogues[lang][key]
	return ok
}

// Keys returns the sorted keys of the catalogue of lang.
func Keys(lang string) []string {
	keys := make([]string, 0, len(catalogues[lang]))
	for k := range catalogues[lang] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Match picks the best supported language for an Accept-Language header;
// English when nothing matches or the header is empty or malformed.
func Match(acceptLanguage string) string {
	if acceptLanguage == "" {
		return Default
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return Default
	}
	_, idx, conf := matcher.Match(tags...)
	if conf == language.No {
		return Default
	}
	return matchCodes[idx]
}

// Pick chooses the language of a request: the language cookie if it names a
// supported language, then the signed-in user's stored locale, then the
// Accept-Language header, then English.
func Pick(cookie, stored, acceptLanguage string) string {
	switch {
	case Supported(cookie):
		return cookie
	case Supported(stored):
		return stored
	}
	return Match(acceptLanguage)
}
