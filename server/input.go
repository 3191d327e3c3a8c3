package server

import (
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/sizerun/sizerun/apperr"
)

// cleanInput refuses query parameters and paths that no text column can hold:
// invalid UTF-8 and NUL characters. They get a 422 that names the parameter,
// instead of reaching PostgreSQL and failing there.
func cleanInput(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		path := c.Request().URL.Path
		if !utf8.ValidString(path) || strings.ContainsRune(path, 0) {
			return apperr.Field("path", "the path is not valid UTF-8 text")
		}
		for name, vals := range c.QueryParams() {
			bad := !utf8.ValidString(name) || strings.ContainsRune(name, 0)
			for _, v := range vals {
				bad = bad || !utf8.ValidString(v) || strings.ContainsRune(v, 0)
			}
			if bad {
				field := name
				if !utf8.ValidString(field) {
					field = strings.ToValidUTF8(field, "?")
				}
				return apperr.Field(strings.ReplaceAll(field, "\x00", "?"), "%s must be valid UTF-8 text without NUL characters", strings.ReplaceAll(field, "\x00", "?"))
			}
		}
		return next(c)
	}
}
