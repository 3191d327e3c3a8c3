// Package templates embeds the portal's html/template files and static
// assets (go:embed cannot reach a parent folder, so the files and this
// package live together).
//
//   - layout/*.html: the base layout ("base", which calls "title" and
//     "content") and shared partials; parsed with every page.
//   - pages/**/*.html: one page each, named by its path without "pages/" and
//     ".html" ("login", "home_dealer", "orders/list"); a page defines
//     "title" and "content".
//   - static/: CSS, JavaScript and icons, served under /static/.
//
// A page's dot is a portal.View: .Data (the handler's data), .User, .Lang,
// .Nav, .Path and $.HasRoute "/path". Functions: t "key" args… (translate),
// status, role, unit (translated names), csrf (the hidden _csrf field every
// POST form needs), money (1,234.50), qty (1,234), date, datetime, iso,
// asset "app.css", change (*int percent), htmlLang, langLabel. Partials:
// "status" (an order status badge), "season-state", "amounts". CSS for
// pages: .card/.card-head, .table with .num cells, .grid for dense
// style × colour × size grids (input.qty, .heat-1…5, .total), .field with
// .field-error beside its input, .alert-error/-warn/-info/-ok, .btn/.btn-primary,
// .status-<order status>.
package templates

import (
	"embed"
	"io/fs"
)

//go:embed layout pages static
var files embed.FS

// FS returns all template and static files.
func FS() fs.FS { return files }

// Layout returns the layout templates, rooted at layout/.
func Layout() fs.FS { return sub("layout") }

// Pages returns the page templates, rooted at pages/.
func Pages() fs.FS { return sub("pages") }

// Static returns the static assets, rooted at static/.
func Static() fs.FS { return sub("static") }

func sub(dir string) fs.FS {
	f, err := fs.Sub(files, dir)
	if err != nil {
		panic(err) // the folders are embedded above; this cannot fail
	}
	return f
}
