package portal

import (
	"fmt"
	"html/template"
	"strings"

	"github.com/sizerun/sizerun/aggregation"
	"github.com/sizerun/sizerun/i18n"
)

// Size-curve chart geometry, in SVG user units (the chart scales to its box).
const (
	scLeft   = 40  // room for the axis labels
	scTop    = 16  // room for the value labels
	scPlot   = 150 // plot height
	scBottom = 24  // room for the size labels
	scWidth  = 380 // whatever the number of sizes, so that charts compare
	scBarMax = 19  // width of one bar at most
)

// planSizeCurveSVG draws a category's size curve as an inline SVG bar chart:
// per size, this season's share (solid bar, labelled) beside the category's
// standard share (light bar). It is an accessible image: a title, and a
// description that lists every value; n makes the ids unique on the page.
// Text is escaped; the numbers are integers computed here.
func planSizeCurveSVG(lang string, c aggregation.SizeCurve, n int) template.HTML {
	maxBP := 1000
	for _, z := range c.Sizes {
		maxBP = max(maxBP, z.ShareBP, z.StandardBP)
	}
	top := (maxBP + 999) / 1000 * 1000 // the axis ends on a whole 10 %
	width := scWidth
	group := (scWidth - scLeft - 8) / max(1, len(c.Sizes))
	bar := min(scBarMax, (group-6)/2)
	height := scTop + scPlot + scBottom
	y := func(bp int) int { return scTop + scPlot - bp*scPlot/top }

	esc := template.HTMLEscapeString
	id := fmt.Sprintf("sc%d", n)
	title := i18n.T(lang, "planning.curve.chart_title", c.Category+" "+c.Name, c.Scale)
	var desc []string
	for _, z := range c.Sizes {
		if z.HasStandard {
			desc = append(desc, i18n.T(lang, "planning.curve.desc_size", z.Size, planPercent(z.ShareBP), planPercent(z.StandardBP)))
		} else {
			desc = append(desc, i18n.T(lang, "planning.curve.desc_size_nostd", z.Size, planPercent(z.ShareBP)))
		}
	}

	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="sizecurve" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-labelledby="%s-t %s-d">`,
		width, height, width, height, id, id)
	fmt.Fprintf(&b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, id, esc(title), id, esc(strings.Join(desc, "; ")))
	// Grid lines and axis labels every 10 %.
	for bp := 0; bp <= top; bp += 1000 {
		fmt.Fprintf(&b, `<line class="sc-grid" x1="%d" x2="%d" y1="%d" y2="%d"/>`, scLeft, width-4, y(bp), y(bp))
		fmt.Fprintf(&b, `<text class="sc-axis" x="%d" y="%d">%d%%</text>`, scLeft-6, y(bp)+4, bp/100)
	}
	for i, z := range c.Sizes {
		gx := scLeft + i*group + (group-2*bar-2)/2
		fmt.Fprintf(&b, `<rect class="sc-season" x="%d" y="%d" width="%d" height="%d"/>`,
			gx, y(z.ShareBP), bar, scTop+scPlot-y(z.ShareBP))
		if z.HasStandard {
			fmt.Fprintf(&b, `<rect class="sc-std" x="%d" y="%d" width="%d" height="%d"/>`,
				gx+bar+2, y(z.StandardBP), bar, scTop+scPlot-y(z.StandardBP))
		}
		fmt.Fprintf(&b, `<text class="sc-value" x="%d" y="%d">%d%%</text>`, gx+bar/2, y(z.ShareBP)-3, (z.ShareBP+50)/100)
		fmt.Fprintf(&b, `<text class="sc-size" x="%d" y="%d">%s</text>`, gx+bar+1, scTop+scPlot+16, esc(z.Size))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
