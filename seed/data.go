package seed

// The hand-written part of the demo data set: reference data, the style list,
// dealers, suppliers and fabrics. Everything derived from it (SKUs, prices,
// bills of materials, order history, invoices) is generated in plan.go.

type regionDef struct {
	code, name, locale string
	// sizeSkew shifts the region's size curve, in size steps: negative buys
	// smaller (Korea, the south), positive bigger (the north).
	sizeSkew float64
}

var regionDefs = []regionDef{
	{"EC", "华东", "zh", -0.05},
	{"SC", "华南", "zh", -0.30},
	{"NC", "华北", "zh", 0.30},
	{"NE", "东北", "zh", 0.45},
	{"CC", "华中", "zh", 0.05},
	{"SW", "西南", "zh", -0.25},
	{"SEL", "서울", "ko", -0.45},
	{"PUS", "부산", "ko", -0.40},
}

type priceListDef struct {
	code, name string
	isList     bool
	factor     float64 // share of the list price
}

var priceListDefs = []priceListDef{
	{"LIST", "Retail list price 零售价", true, 1},
	{"WHOLESALE-A", "Key accounts 重点客户批发价", false, 0.48},
	{"WHOLESALE-B", "Wholesale 批发价", false, 0.55},
	{"AGENT", "Agents and small retailers 代理价", false, 0.60},
	{"KR-CNY", "Korea distribution (CNY) 한국 도매가", false, 0.52},
}

// Season indexes into seasonDefs, in chronological order.
const (
	sAW25 = iota
	sSS26
	sAW26
	sSS27
	nSeasons
)

type windowDef struct{ code, name, from, to string }

type seasonDef struct {
	code, name     string
	startsOn       string
	opens, cutoff  string // RFC 3339
	closed         bool
	windows        []windowDef
	volume         float64 // overall demand level of the season
	summer         bool
	createdStyles  string // when the season's new styles were created
	firstSubmitted string // SS27 only: the order book so far runs up to asOf
}

var seasonDefs = [nSeasons]seasonDef{
	{
		code: "AW25", name: "Autumn/Winter 2025", startsOn: "2025-08-01",
		opens: "2025-01-06T00:00:00Z", cutoff: "2025-03-28T00:00:00Z", closed: true,
		windows: []windowDef{
			{"D1", "Drop 1 – July", "2025-07-01", "2025-07-20"},
			{"D2", "Drop 2 – August", "2025-08-01", "2025-08-20"},
			{"D3", "Drop 3 – September", "2025-09-01", "2025-09-20"},
		},
		volume: 0.80, createdStyles: "2024-11-18T02:00:00Z",
	},
	{
		code: "SS26", name: "Spring/Summer 2026", startsOn: "2026-02-01",
		opens: "2025-07-07T00:00:00Z", cutoff: "2025-09-26T00:00:00Z", closed: true,
		windows: []windowDef{
			{"D1", "Drop 1 – February", "2026-02-02", "2026-02-20"},
			{"D2", "Drop 2 – March", "2026-03-02", "2026-03-20"},
			{"D3", "Drop 3 – April", "2026-04-01", "2026-04-20"},
		},
		volume: 0.85, summer: true, createdStyles: "2025-05-12T02:00:00Z",
	},
	{
		code: "AW26", name: "Autumn/Winter 2026", startsOn: "2026-08-01",
		opens: "2026-01-05T00:00:00Z", cutoff: "2026-03-27T00:00:00Z", closed: true,
		windows: []windowDef{
			{"D1", "Drop 1 – July", "2026-07-06", "2026-07-24"},
			{"D2", "Drop 2 – August", "2026-08-10", "2026-08-28"},
			{"D3", "Drop 3 – late September", "2026-09-21", "2026-10-16"},
		},
		volume: 1.00, createdStyles: "2025-11-10T02:00:00Z",
	},
	{
		code: "SS27", name: "Spring/Summer 2027", startsOn: "2027-02-01",
		opens: "2026-09-01T00:00:00Z", cutoff: "2027-02-26T00:00:00Z", closed: false,
		windows: []windowDef{
			{"D1", "Drop 1 – February", "2027-02-01", "2027-02-19"},
			{"D2", "Drop 2 – March", "2027-03-01", "2027-03-19"},
			{"D3", "Drop 3 – April", "2027-04-01", "2027-04-16"},
		},
		volume: 1.05, summer: true, createdStyles: "2026-06-15T02:00:00Z",
	},
}

// asOf is the day the demo data set "was taken": no event, payment or order
// is later than this.
const asOf = "2026-11-20"

type scaleDef struct {
	code, name string
	sizes      []string
	center     int // index of the base size for consumption (M, 40, 31)
}

var scaleDefs = []scaleDef{
	{"ALPHA", "Letter sizes XS–XXL", []string{"XS", "S", "M", "L", "XL", "XXL"}, 2},
	{"NUM-W", "Women's EU 36–44", []string{"36", "38", "40", "42", "44"}, 2},
	{"WAIST", "Waist 28–36", []string{"28", "29", "30", "31", "32", "34", "36"}, 3},
}

type prepackDef struct {
	scale, code, name string
	items             []sizeQty
}

type sizeQty struct {
	size string
	qty  int
}

var prepackDefs = []prepackDef{
	{"ALPHA", "PP1", "Core 6 (S1 M2 L2 XL1)", []sizeQty{{"S", 1}, {"M", 2}, {"L", 2}, {"XL", 1}}},
	{"ALPHA", "PP2", "Small fit 6 (XS1 S2 M2 L1)", []sizeQty{{"XS", 1}, {"S", 2}, {"M", 2}, {"L", 1}}},
	{"ALPHA", "PP3", "Full run 8 (S1 M2 L2 XL2 XXL1)", []sizeQty{{"S", 1}, {"M", 2}, {"L", 2}, {"XL", 2}, {"XXL", 1}}},
	{"NUM-W", "PP1", "Core 6 (36/1 38/2 40/2 42/1)", []sizeQty{{"36", 1}, {"38", 2}, {"40", 2}, {"42", 1}}},
	{"NUM-W", "PP2", "Full run 8 (36/1 38/2 40/2 42/2 44/1)", []sizeQty{{"36", 1}, {"38", 2}, {"40", 2}, {"42", 2}, {"44", 1}}},
	{"WAIST", "PP1", "Core 8 (29/1 30/2 31/2 32/2 34/1)", []sizeQty{{"29", 1}, {"30", 2}, {"31", 2}, {"32", 2}, {"34", 1}}},
	{"WAIST", "PP2", "Full run 10 (28/1 29/1 30/2 31/2 32/2 34/1 36/1)", []sizeQty{{"28", 1}, {"29", 1}, {"30", 2}, {"31", 2}, {"32", 2}, {"34", 1}, {"36", 1}}},
}

type categoryDef struct {
	code, name, scale string
	// the standard size curve: a bell around curveCenter (an index into the
	// scale) with spread curveSigma.
	curveCenter, curveSigma float64
	moq, cutLot             int
	baseM, baseKg           float64 // fabric per garment at the base size, in m or kg
	palette                 []string
	winter                  float64 // demand in autumn/winter relative to spring/summer
}

var categoryDefs = []categoryDef{
	{"SHIRT", "Shirts", "ALPHA", 2.3, 1.05, 6, 24, 1.60, 0.30, []string{"WHT", "SKY", "NVY", "BST", "PNK", "OLV", "BLK", "KHA"}, 1.0},
	{"TEE", "T-shirts", "ALPHA", 2.3, 1.10, 12, 50, 1.10, 0.24, []string{"WHT", "BLK", "NVY", "GRM", "ECR", "OLV", "RED", "SKY"}, 0.8},
	{"POLO", "Polos", "ALPHA", 2.4, 1.05, 12, 50, 1.20, 0.30, []string{"NVY", "WHT", "BLK", "FOR", "SKY", "RED"}, 0.7},
	{"KNIT", "Knitwear", "ALPHA", 2.2, 1.05, 6, 12, 1.50, 0.48, []string{"OAT", "CHR", "NVY", "CAM", "BRG", "ECR", "BLK", "FOR"}, 1.8},
	{"SWEAT", "Sweatshirts", "ALPHA", 2.4, 1.10, 12, 50, 1.80, 0.62, []string{"GRM", "BLK", "NVY", "ECR", "OLV", "SAG", "LAV"}, 1.3},
	{"DRESS", "Dresses", "NUM-W", 1.6, 1.00, 6, 12, 2.40, 0.45, []string{"BLK", "NVY", "ECR", "TER", "SAG", "PNK", "FLR"}, 0.8},
	{"SKIRT", "Skirts", "NUM-W", 1.6, 1.00, 6, 12, 1.20, 0.35, []string{"BLK", "NVY", "CAM", "ECR", "KHA", "BRG"}, 1.0},
	{"BLOUSE", "Blouses", "NUM-W", 1.5, 1.00, 6, 12, 1.50, 0.30, []string{"WHT", "ECR", "BLK", "PNK", "SKY", "FLR"}, 0.9},
	{"TROUSER", "Trousers", "WAIST", 3.0, 1.35, 6, 24, 1.35, 0.40, []string{"KHA", "NVY", "BLK", "STN", "OLV", "CHR"}, 1.0},
	{"DENIM", "Denim", "WAIST", 3.0, 1.40, 6, 24, 1.45, 0.45, []string{"RAW", "MID", "LGT", "BLK", "ECR"}, 1.0},
	{"SHORTS", "Shorts", "WAIST", 2.8, 1.30, 12, 24, 0.85, 0.25, []string{"KHA", "NVY", "STN", "OLV", "SKY", "BLK"}, 0.3},
	{"OUTER", "Outerwear", "ALPHA", 2.5, 1.05, 6, 12, 2.60, 0.90, []string{"BLK", "NVY", "CAM", "KHA", "OLV", "CHR", "STN"}, 2.2},
}

// Colour names and their pull: black, navy and white sell best everywhere.
var colorDefs = map[string]struct {
	name string
	pull float64
}{
	"BLK": {"Black", 1.5}, "NVY": {"Navy", 1.3}, "WHT": {"White", 1.3}, "ECR": {"Ecru", 1.0},
	"GRM": {"Grey marl", 1.1}, "KHA": {"Khaki", 1.1}, "CAM": {"Camel", 1.1}, "OAT": {"Oatmeal", 1.0},
	"CHR": {"Charcoal", 1.0}, "SKY": {"Sky blue", 0.9}, "OLV": {"Olive", 0.8}, "RED": {"Red", 0.6},
	"PNK": {"Blush pink", 0.7}, "BST": {"Blue stripe", 0.8}, "FOR": {"Forest green", 0.6},
	"BRG": {"Burgundy", 0.7}, "SAG": {"Sage", 0.8}, "LAV": {"Lavender", 0.6}, "TER": {"Terracotta", 0.7},
	"FLR": {"Floral print", 0.8}, "STN": {"Stone", 1.0}, "RAW": {"Raw indigo", 1.4}, "MID": {"Mid wash", 1.3},
	"LGT": {"Light wash", 1.0},
}

// Fabric palettes override the category's for denim and linen styles.
var fabricPalettes = map[string][]string{
	"FAB-DNM-12": {"RAW", "MID", "LGT", "BLK", "ECR"},
	"FAB-DNM-10": {"MID", "RAW", "LGT", "BLK", "ECR"},
	"FAB-LIN-01": {"WHT", "ECR", "SAG", "SKY", "BLK", "TER"},
	"FAB-CHB-01": {"SKY", "MID", "WHT", "NVY"},
}

type supplierDef struct{ code, name, email, contact string }

var supplierDefs = []supplierDef{
	{"S01", "绍兴柯桥华纺织造有限公司", "sales@huafang-keqiao.example", "张伟"},
	{"S02", "常州新纶针织面料有限公司", "orders@xinlun-knit.example", "李娜"},
	{"S03", "대구섬유산업㈜", "export@daegu-textile.example", "김성호"},
	{"S04", "广州新塘纺织有限公司", "sales@xintang-textile.example", "陈志强"},
	{"S05", "桐乡濮院毛纺有限公司", "yarn@puyuan-wool.example", "沈晓红"},
}

type fabricDef struct {
	code, name, supplier, unit string
	wastagePct                 string
	leadWeeks                  int
	unitCost                   string
}

var fabricDefs = []fabricDef{
	{"FAB-POP-01", "Cotton poplin 120 g/m², 140 cm", "S01", "m", "6.00", 5, "18.50"},
	{"FAB-OXF-01", "Cotton oxford 135 g/m², 150 cm", "S01", "m", "6.00", 5, "22.00"},
	{"FAB-TWL-01", "Cotton twill 280 g/m², 150 cm", "S01", "m", "7.00", 6, "26.50"},
	{"FAB-GAB-01", "Cotton gabardine 240 g/m², 150 cm", "S01", "m", "7.00", 7, "34.00"},
	{"FAB-FLN-01", "Brushed cotton flannel, 150 cm", "S01", "m", "8.00", 6, "24.00"},
	{"FAB-VIS-01", "Viscose crepe 125 g/m², 145 cm", "S01", "m", "8.00", 5, "21.00"},
	{"FAB-SLK-01", "Silk crepe de chine 16 mm, 114 cm", "S01", "m", "10.00", 8, "118.00"},
	{"FAB-JER-01", "Cotton single jersey 180 g/m²", "S02", "kg", "10.00", 4, "58.00"},
	{"FAB-PIQ-01", "Cotton piqué 220 g/m²", "S02", "kg", "10.00", 4, "64.00"},
	{"FAB-FLC-01", "Cotton brushed fleece 330 g/m²", "S02", "kg", "9.00", 5, "62.00"},
	{"FAB-RIB-01", "Cotton 1x1 rib 240 g/m²", "S02", "kg", "12.00", 4, "66.00"},
	{"FAB-NYL-01", "Nylon taslan, water-repellent, 145 cm", "S03", "m", "6.00", 7, "28.00"},
	{"FAB-PDN-01", "Down-proof polyester 50D, 150 cm", "S03", "m", "7.00", 8, "31.00"},
	{"FAB-LNG-01", "Polyester twill lining, 150 cm", "S03", "m", "5.00", 4, "9.80"},
	{"FAB-DNM-12", "Denim 12 oz rigid, 150 cm", "S04", "m", "8.00", 6, "32.00"},
	{"FAB-DNM-10", "Stretch denim 10 oz, 145 cm", "S04", "m", "8.00", 6, "30.00"},
	{"FAB-CHB-01", "Cotton chambray, 145 cm", "S04", "m", "6.00", 5, "23.00"},
	{"FAB-LIN-01", "Linen plain weave 150 g/m², 140 cm", "S04", "m", "9.00", 7, "38.00"},
	{"FAB-MER-01", "Merino wool yarn 2/48 Nm", "S05", "kg", "5.00", 8, "285.00"},
	{"FAB-CSH-01", "Cashmere-blend yarn 2/28 Nm", "S05", "kg", "5.00", 10, "780.00"},
	{"FAB-CTY-01", "Combed cotton yarn 2/30 Nm", "S05", "kg", "5.00", 6, "72.00"},
	{"FAB-WFL-01", "Wool flannel 300 g/m², 150 cm", "S05", "m", "7.00", 9, "96.00"},
}

// Style tags: which seasons a style is offered in.
//
//	C core: every season (some from SS26 on)
//	A autumn/winter only: AW25 and AW26 (some AW26 only)
//	S spring/summer: SS26 and SS27
//	M new in AW26, carried over to SS27
//	N new in SS27
type styleDef struct {
	name, cat  string
	fab, fab2  string
	list       int // list price, CNY
	tag        byte
	fabricMult float64 // consumption relative to the category's base (0 = 1)
}

var styleDefs = []styleDef{
	// Shirts
	{"Men's poplin shirt", "SHIRT", "FAB-POP-01", "", 399, 'C', 0},
	{"Men's oxford button-down shirt", "SHIRT", "FAB-OXF-01", "", 429, 'C', 0},
	{"Men's linen shirt", "SHIRT", "FAB-LIN-01", "", 499, 'S', 0},
	{"Men's chambray work shirt", "SHIRT", "FAB-CHB-01", "", 459, 'C', 0},
	{"Men's brushed flannel check shirt", "SHIRT", "FAB-FLN-01", "", 469, 'A', 0},
	{"Men's short-sleeve camp-collar shirt", "SHIRT", "FAB-VIS-01", "", 359, 'S', 0.85},
	{"Men's slim stretch poplin shirt", "SHIRT", "FAB-POP-01", "", 419, 'N', 0},
	{"Women's poplin shirt", "SHIRT", "FAB-POP-01", "", 379, 'C', 0.95},
	{"Women's oversized oxford shirt", "SHIRT", "FAB-OXF-01", "", 429, 'C', 1.1},
	{"Women's linen shirt", "SHIRT", "FAB-LIN-01", "", 479, 'S', 0.95},
	{"Men's striped seersucker shirt", "SHIRT", "FAB-POP-01", "", 429, 'N', 0},
	{"Men's cotton twill overshirt", "SHIRT", "FAB-TWL-01", "", 559, 'M', 1.15},
	{"Women's cropped linen shirt", "SHIRT", "FAB-LIN-01", "", 459, 'N', 0.8},
	{"Men's denim western shirt", "SHIRT", "FAB-DNM-10", "", 499, 'C', 0},
	// T-shirts
	{"Men's crew-neck T-shirt", "TEE", "FAB-JER-01", "", 149, 'C', 0},
	{"Men's heavyweight pocket T-shirt", "TEE", "FAB-JER-01", "", 199, 'C', 1.25},
	{"Men's long-sleeve T-shirt", "TEE", "FAB-JER-01", "", 179, 'C', 1.2},
	{"Women's crew-neck T-shirt", "TEE", "FAB-JER-01", "", 139, 'C', 0.85},
	{"Women's boxy T-shirt", "TEE", "FAB-JER-01", "", 159, 'C', 0.95},
	{"Women's fitted rib tank top", "TEE", "FAB-RIB-01", "", 99, 'S', 0.6},
	{"Men's graphic T-shirt \"Harbour\"", "TEE", "FAB-JER-01", "", 189, 'N', 0},
	{"Women's graphic T-shirt \"Peony\"", "TEE", "FAB-JER-01", "", 179, 'N', 0.9},
	{"Men's waffle-knit henley", "TEE", "FAB-JER-01", "", 229, 'A', 1.3},
	{"Women's long-sleeve striped T-shirt", "TEE", "FAB-JER-01", "", 169, 'C', 1.05},
	{"Men's V-neck T-shirt", "TEE", "FAB-JER-01", "", 149, 'C', 0},
	{"Unisex organic cotton T-shirt", "TEE", "FAB-JER-01", "", 169, 'N', 0},
	// Polos
	{"Men's piqué polo", "POLO", "FAB-PIQ-01", "", 299, 'C', 0},
	{"Men's long-sleeve piqué polo", "POLO", "FAB-PIQ-01", "", 329, 'A', 1.2},
	{"Women's piqué polo", "POLO", "FAB-PIQ-01", "", 269, 'C', 0.85},
	{"Men's knitted cotton polo", "POLO", "FAB-CTY-01", "", 399, 'S', 1.0},
	{"Men's tipped piqué polo", "POLO", "FAB-PIQ-01", "", 319, 'N', 0},
	{"Women's cropped polo", "POLO", "FAB-PIQ-01", "", 259, 'N', 0.75},
	// Knitwear
	{"Men's merino crew-neck sweater", "KNIT", "FAB-MER-01", "", 699, 'C', 0},
	{"Men's merino V-neck sweater", "KNIT", "FAB-MER-01", "", 699, 'C', 0},
	{"Men's cashmere-blend crew-neck", "KNIT", "FAB-CSH-01", "", 1299, 'A', 0.9},
	{"Men's cable-knit sweater", "KNIT", "FAB-MER-01", "", 899, 'A', 1.4},
	{"Women's merino cardigan", "KNIT", "FAB-MER-01", "", 659, 'C', 0.9},
	{"Women's cashmere-blend turtleneck", "KNIT", "FAB-CSH-01", "", 1199, 'A', 0.85},
	{"Women's ribbed cotton cardigan", "KNIT", "FAB-CTY-01", "", 459, 'S', 0.9},
	{"Men's cotton crew-neck sweater", "KNIT", "FAB-CTY-01", "", 459, 'C', 1.0},
	{"Women's cotton knit vest", "KNIT", "FAB-CTY-01", "", 359, 'N', 0.6},
	{"Men's half-zip merino sweater", "KNIT", "FAB-MER-01", "", 799, 'M', 1.05},
	{"Women's brushed wool sweater", "KNIT", "FAB-MER-01", "", 799, 'A', 1.1},
	{"Women's cotton-linen knit top", "KNIT", "FAB-CTY-01", "", 399, 'N', 0.7},
	// Sweatshirts
	{"Men's crew-neck sweatshirt", "SWEAT", "FAB-FLC-01", "FAB-RIB-01", 349, 'C', 0},
	{"Men's hoodie", "SWEAT", "FAB-FLC-01", "FAB-RIB-01", 429, 'C', 1.2},
	{"Men's zip-through hoodie", "SWEAT", "FAB-FLC-01", "FAB-RIB-01", 469, 'C', 1.25},
	{"Women's crew-neck sweatshirt", "SWEAT", "FAB-FLC-01", "FAB-RIB-01", 329, 'C', 0.9},
	{"Women's cropped hoodie", "SWEAT", "FAB-FLC-01", "FAB-RIB-01", 399, 'M', 0.9},
	{"Men's sweatpants", "SWEAT", "FAB-FLC-01", "FAB-RIB-01", 369, 'C', 1.1},
	{"Women's joggers", "SWEAT", "FAB-FLC-01", "FAB-RIB-01", 349, 'C', 1.0},
	{"Men's loopback sweatshirt", "SWEAT", "FAB-FLC-01", "FAB-RIB-01", 399, 'N', 0.95},
	// Dresses
	{"Women's linen midi dress", "DRESS", "FAB-LIN-01", "", 899, 'S', 1.1},
	{"Women's poplin shirt dress", "DRESS", "FAB-POP-01", "", 699, 'C', 1.0},
	{"Women's viscose wrap dress", "DRESS", "FAB-VIS-01", "", 759, 'C', 1.05},
	{"Women's knitted midi dress", "DRESS", "FAB-MER-01", "", 999, 'A', 1.5},
	{"Women's silk slip dress", "DRESS", "FAB-SLK-01", "", 1199, 'C', 0.9},
	{"Women's jersey T-shirt dress", "DRESS", "FAB-JER-01", "", 399, 'C', 1.0},
	{"Women's tiered cotton maxi dress", "DRESS", "FAB-POP-01", "", 799, 'N', 1.35},
	{"Women's denim shirt dress", "DRESS", "FAB-DNM-10", "", 699, 'M', 1.0},
	{"Women's wool pinafore dress", "DRESS", "FAB-WFL-01", "FAB-LNG-01", 899, 'A', 0.9},
	{"Women's pleated midi dress", "DRESS", "FAB-VIS-01", "", 859, 'N', 1.25},
	{"Women's smocked sundress", "DRESS", "FAB-POP-01", "", 659, 'N', 0.95},
	{"Women's sweater dress", "DRESS", "FAB-MER-01", "", 899, 'A', 1.4},
	// Skirts
	{"Women's A-line denim skirt", "SKIRT", "FAB-DNM-10", "", 459, 'C', 0},
	{"Women's pleated midi skirt", "SKIRT", "FAB-VIS-01", "", 559, 'C', 1.3},
	{"Women's linen wrap skirt", "SKIRT", "FAB-LIN-01", "", 499, 'S', 1.1},
	{"Women's wool pencil skirt", "SKIRT", "FAB-WFL-01", "FAB-LNG-01", 659, 'A', 0.9},
	{"Women's satin slip skirt", "SKIRT", "FAB-SLK-01", "", 699, 'N', 1.0},
	{"Women's cotton twill mini skirt", "SKIRT", "FAB-TWL-01", "", 399, 'N', 0.7},
	{"Women's tiered midi skirt", "SKIRT", "FAB-VIS-01", "", 529, 'N', 1.35},
	{"Women's checked wool skirt", "SKIRT", "FAB-WFL-01", "FAB-LNG-01", 699, 'A', 1.0},
	// Blouses
	{"Women's silk blouse", "BLOUSE", "FAB-SLK-01", "", 899, 'C', 0},
	{"Women's printed viscose blouse", "BLOUSE", "FAB-VIS-01", "", 459, 'C', 0},
	{"Women's broderie cotton blouse", "BLOUSE", "FAB-POP-01", "", 499, 'S', 0},
	{"Women's pussy-bow blouse", "BLOUSE", "FAB-VIS-01", "", 529, 'M', 1.1},
	{"Women's linen tunic", "BLOUSE", "FAB-LIN-01", "", 459, 'N', 1.2},
	{"Women's puff-sleeve poplin blouse", "BLOUSE", "FAB-POP-01", "", 429, 'N', 1.05},
	// Trousers
	{"Men's chino trousers", "TROUSER", "FAB-TWL-01", "", 459, 'C', 0},
	{"Men's slim chinos", "TROUSER", "FAB-TWL-01", "", 459, 'C', 0.95},
	{"Women's wide-leg trousers", "TROUSER", "FAB-TWL-01", "", 499, 'C', 1.15},
	{"Women's stretch cigarette trousers", "TROUSER", "FAB-TWL-01", "", 529, 'C', 0.9},
	{"Men's pleated wool trousers", "TROUSER", "FAB-WFL-01", "FAB-LNG-01", 899, 'A', 1.05},
	{"Men's linen drawstring trousers", "TROUSER", "FAB-LIN-01", "", 499, 'S', 1.0},
	{"Women's linen wide-leg trousers", "TROUSER", "FAB-LIN-01", "", 529, 'S', 1.15},
	{"Men's cargo trousers", "TROUSER", "FAB-TWL-01", "", 529, 'M', 1.15},
	{"Women's pleated wool trousers", "TROUSER", "FAB-WFL-01", "FAB-LNG-01", 859, 'A', 1.0},
	{"Men's nylon track trousers", "TROUSER", "FAB-NYL-01", "", 459, 'N', 1.0},
	{"Women's paperbag-waist trousers", "TROUSER", "FAB-TWL-01", "", 499, 'N', 1.0},
	{"Men's drawstring twill trousers", "TROUSER", "FAB-TWL-01", "", 429, 'N', 1.0},
	// Denim
	{"Men's slim jeans", "DENIM", "FAB-DNM-12", "", 599, 'C', 0},
	{"Men's straight jeans", "DENIM", "FAB-DNM-12", "", 599, 'C', 1.05},
	{"Men's tapered stretch jeans", "DENIM", "FAB-DNM-10", "", 629, 'C', 0},
	{"Men's selvedge raw jeans", "DENIM", "FAB-DNM-12", "", 899, 'M', 1.05},
	{"Women's high-rise skinny jeans", "DENIM", "FAB-DNM-10", "", 569, 'C', 0.9},
	{"Women's straight jeans", "DENIM", "FAB-DNM-12", "", 569, 'C', 0.95},
	{"Women's wide-leg jeans", "DENIM", "FAB-DNM-12", "", 629, 'M', 1.15},
	{"Women's mom jeans", "DENIM", "FAB-DNM-12", "", 599, 'C', 0.95},
	{"Women's flared jeans", "DENIM", "FAB-DNM-10", "", 629, 'N', 1.05},
	{"Men's relaxed carpenter jeans", "DENIM", "FAB-DNM-12", "", 659, 'N', 1.15},
	// Shorts
	{"Men's chino shorts", "SHORTS", "FAB-TWL-01", "", 299, 'S', 0},
	{"Men's linen shorts", "SHORTS", "FAB-LIN-01", "", 329, 'S', 0},
	{"Women's denim shorts", "SHORTS", "FAB-DNM-10", "", 329, 'S', 0.8},
	{"Men's swim shorts", "SHORTS", "FAB-NYL-01", "", 259, 'N', 0.9},
	{"Women's linen shorts", "SHORTS", "FAB-LIN-01", "", 299, 'N', 0.85},
	{"Men's cargo shorts", "SHORTS", "FAB-TWL-01", "", 329, 'N', 1.1},
	// Outerwear
	{"Men's down puffer jacket", "OUTER", "FAB-PDN-01", "FAB-LNG-01", 1899, 'A', 1.0},
	{"Women's long down coat", "OUTER", "FAB-PDN-01", "FAB-LNG-01", 2299, 'A', 1.35},
	{"Men's wool overcoat", "OUTER", "FAB-WFL-01", "FAB-LNG-01", 2499, 'A', 1.2},
	{"Women's wool wrap coat", "OUTER", "FAB-WFL-01", "FAB-LNG-01", 2399, 'A', 1.2},
	{"Men's cotton trench coat", "OUTER", "FAB-GAB-01", "FAB-LNG-01", 1599, 'C', 1.2},
	{"Women's cotton trench coat", "OUTER", "FAB-GAB-01", "FAB-LNG-01", 1599, 'C', 1.15},
	{"Men's denim jacket", "OUTER", "FAB-DNM-12", "", 699, 'C', 0.75},
	{"Women's cropped denim jacket", "OUTER", "FAB-DNM-10", "", 659, 'C', 0.6},
	{"Men's nylon windbreaker", "OUTER", "FAB-NYL-01", "", 599, 'S', 0.8},
	{"Women's quilted jacket", "OUTER", "FAB-NYL-01", "FAB-LNG-01", 899, 'M', 0.8},
	{"Men's padded gilet", "OUTER", "FAB-NYL-01", "FAB-LNG-01", 699, 'A', 0.6},
	{"Men's Harrington jacket", "OUTER", "FAB-GAB-01", "FAB-LNG-01", 899, 'C', 0.75},
	{"Women's linen blazer", "OUTER", "FAB-LIN-01", "FAB-LNG-01", 999, 'N', 0.8},
	{"Men's unstructured cotton blazer", "OUTER", "FAB-TWL-01", "FAB-LNG-01", 1099, 'M', 0.85},
}

// Dealer seasons: one character per season (AW25 SS26 AW26 SS27), '1' when
// the dealer orders in it. Dealers that ordered AW26 but not SS27 either drift
// away (trend < 1) or simply have not ordered yet.
type dealerDef struct {
	code, name, region, priceList string
	terms                         int
	slug                          string // for the contact's e-mail domain
	contact, title, address       string
	seasons                       string
	scale                         float64 // pieces per season, in units of 700
	trend                         float64 // growth per season
	policy                        string
}

var dealerDefs = []dealerDef{
	{"D001", "上海衣之源服饰有限公司", "EC", "WHOLESALE-A", 60, "yizhiyuan", "王丽华", "采购总监", "上海市静安区南京西路1266号恒隆广场2座1808室", "1111", 5.0, 1.06, "refuse"},
	{"D002", "杭州锦绣商贸有限公司", "EC", "WHOLESALE-A", 45, "jinxiu", "陈建国", "总经理", "杭州市上城区解放路138号", "1111", 3.4, 1.04, "refuse"},
	{"D003", "南京金陵服装贸易有限公司", "EC", "WHOLESALE-B", 45, "jinling", "李静", "采购经理", "南京市秦淮区中山南路79号", "1111", 1.3, 1.02, "refuse"},
	{"D004", "苏州姑苏丝绸服饰有限公司", "EC", "WHOLESALE-B", 30, "gusu", "张伟", "商品主管", "苏州市姑苏区观前街268号", "0111", 0.9, 1.12, "refuse"},
	{"D005", "宁波甬城服饰连锁有限公司", "EC", "WHOLESALE-A", 60, "yongcheng", "刘洋", "采购经理", "宁波市海曙区中山西路88号", "1110", 1.4, 1.00, "refuse"},
	{"D006", "上海静安潮衣馆", "EC", "AGENT", 30, "chaoyiguan", "杨帆", "店长", "上海市静安区愚园路512号", "1011", 0.4, 1.00, "refuse"},
	{"D007", "无锡太湖时装商行", "EC", "WHOLESALE-B", 45, "taihu", "赵敏", "经理", "无锡市梁溪区中山路218号", "1110", 0.8, 1.00, "refuse"},
	{"D008", "温州瓯江鞋服贸易有限公司", "EC", "WHOLESALE-B", 30, "oujiang", "黄磊", "总经理", "温州市鹿城区人民路56号", "1110", 1.1, 0.78, "refuse"},
	{"D009", "合肥徽韵服饰有限公司", "EC", "WHOLESALE-B", 45, "huiyun", "周婷", "采购经理", "合肥市庐阳区长江中路99号", "0111", 0.7, 1.10, "refuse"},
	{"D010", "广州天河衣尚服饰有限公司", "SC", "WHOLESALE-A", 60, "yishang", "吴刚", "采购总监", "广州市天河区天河路208号", "1111", 4.2, 1.05, "refuse"},
	{"D011", "深圳南山时尚服装有限公司", "SC", "WHOLESALE-A", 45, "nanshan", "徐明", "商品经理", "深圳市南山区海德三道126号", "1111", 2.4, 1.08, "refuse"},
	{"D012", "厦门鹭岛服饰贸易有限公司", "SC", "WHOLESALE-B", 45, "ludao", "孙悦", "采购经理", "厦门市思明区中山路155号", "1101", 0.9, 1.00, "hold"},
	{"D013", "东莞虎门服装批发行", "SC", "AGENT", 30, "humen", "马丽", "老板", "东莞市虎门镇银龙路38号", "1110", 1.0, 0.72, "refuse"},
	{"D014", "佛山禅城衣美服饰有限公司", "SC", "WHOLESALE-B", 30, "yimei", "朱军", "经理", "佛山市禅城区祖庙路33号", "0111", 0.6, 1.05, "refuse"},
	{"D015", "南宁绿城服饰商贸有限公司", "SC", "WHOLESALE-B", 45, "lvcheng", "胡晓燕", "采购", "南宁市青秀区民族大道136号", "1110", 0.5, 0.98, "refuse"},
	{"D016", "北京燕都服装贸易有限公司", "NC", "WHOLESALE-A", 60, "yandu", "郭强", "总经理", "北京市朝阳区建国路87号", "1111", 3.2, 1.03, "refuse"},
	{"D017", "天津津门服饰有限公司", "NC", "WHOLESALE-B", 45, "jinmen", "何芳", "采购经理", "天津市和平区滨江道168号", "1111", 1.1, 1.02, "refuse"},
	{"D018", "石家庄华北衣联商贸有限公司", "NC", "WHOLESALE-B", 30, "yilian", "高峰", "经理", "石家庄市长安区中山东路326号", "1011", 0.7, 1.00, "refuse"},
	{"D019", "济南泉城服饰有限公司", "NC", "WHOLESALE-B", 45, "quancheng", "林慧", "采购经理", "济南市历下区泉城路188号", "1110", 0.9, 1.01, "refuse"},
	{"D020", "太原晋韵服装商行", "NC", "AGENT", 30, "jinyun", "罗斌", "老板", "太原市迎泽区柳巷南路15号", "1110", 0.6, 0.70, "refuse"},
	{"D021", "沈阳盛京服饰有限公司", "NE", "WHOLESALE-B", 45, "shengjing", "梁静", "采购经理", "沈阳市沈河区中街路120号", "1111", 1.1, 1.03, "refuse"},
	{"D022", "哈尔滨冰城时装贸易有限公司", "NE", "WHOLESALE-B", 45, "bingcheng", "宋涛", "总经理", "哈尔滨市道里区中央大街99号", "1111", 1.0, 1.00, "refuse"},
	{"D023", "大连滨海服饰有限公司", "NE", "WHOLESALE-B", 30, "binhai", "郑丹", "采购", "大连市中山区天津街201号", "1110", 0.8, 0.76, "refuse"},
	{"D024", "成都锦城服饰有限公司", "SW", "WHOLESALE-A", 60, "jincheng", "谢晨", "采购总监", "成都市锦江区春熙路58号", "1111", 2.8, 1.07, "refuse"},
	{"D025", "重庆山城衣坊商贸有限公司", "SW", "WHOLESALE-B", 45, "shancheng", "韩冰", "经理", "重庆市渝中区民族路166号", "1110", 1.1, 1.00, "refuse"},
	{"D026", "昆明春城服饰贸易有限公司", "SW", "WHOLESALE-B", 30, "chuncheng", "唐雪", "采购经理", "昆明市五华区正义路69号", "0111", 0.6, 1.06, "refuse"},
	{"D027", "贵阳黔韵服装商行", "SW", "AGENT", 30, "qianyun", "冯伟", "老板", "贵阳市云岩区中华北路45号", "1110", 0.7, 0.80, "refuse"},
	{"D028", "武汉江城服饰有限公司", "CC", "WHOLESALE-A", 45, "jiangcheng", "于洋", "采购总监", "武汉市江汉区江汉路118号", "1111", 2.0, 1.04, "refuse"},
	{"D029", "长沙星城时装贸易有限公司", "CC", "WHOLESALE-B", 45, "xingcheng", "董梅", "采购经理", "长沙市天心区黄兴南路66号", "1110", 1.0, 1.00, "refuse"},
	{"D030", "郑州中原服饰商贸有限公司", "CC", "WHOLESALE-B", 30, "zhongyuan", "曹阳", "经理", "郑州市二七区德化街88号", "1011", 0.8, 1.02, "refuse"},
	{"D031", "서울패션유통㈜", "SEL", "KR-CNY", 45, "seoulfashion", "김민준", "구매팀장", "서울특별시 중구 을지로 281", "1111", 2.2, 1.05, "hold"},
	{"D032", "㈜한강어패럴", "SEL", "KR-CNY", 45, "hangang", "이서연", "대표이사", "서울특별시 영등포구 여의대로 108", "1111", 1.3, 1.03, "refuse"},
	{"D033", "동대문의류상사", "SEL", "KR-CNY", 30, "dongdaemun", "박지훈", "대표", "서울특별시 중구 장충단로 253", "1110", 0.9, 0.74, "refuse"},
	{"D034", "㈜압구정패션", "SEL", "KR-CNY", 45, "apgujeong", "최유진", "MD", "서울특별시 강남구 압구정로 340", "0111", 0.8, 1.10, "refuse"},
	{"D035", "㈜명동리테일", "SEL", "KR-CNY", 30, "myeongdong", "정하은", "구매담당", "서울특별시 중구 명동길 43", "0001", 0.7, 1.00, "refuse"},
	{"D036", "부산의류상사", "PUS", "KR-CNY", 45, "busanclothing", "강도윤", "대표", "부산광역시 부산진구 중앙대로 672", "1111", 1.1, 1.02, "refuse"},
	{"D037", "㈜해운대패션", "PUS", "KR-CNY", 30, "haeundae", "조수빈", "구매팀장", "부산광역시 해운대구 해운대로 570", "0001", 0.6, 1.00, "refuse"},
	{"D038", "㈜서면어패럴", "PUS", "KR-CNY", 30, "seomyeon", "윤서준", "MD", "부산광역시 부산진구 서면로 39", "0011", 0.7, 1.08, "refuse"},
	{"D039", "南昌赣江服饰商行", "CC", "WHOLESALE-B", 30, "ganjiang", "彭丽", "老板", "南昌市东湖区中山路150号", "1110", 0.8, 0.85, "refuse"},
	{"D040", "㈜성수편집숍", "SEL", "KR-CNY", 30, "seongsu", "한지민", "대표", "서울특별시 성동구 연무장길 28", "0000", 0.3, 1.00, "refuse"},
}

// Dealers whose AW26 invoices are overdue (D039 is on hold because of it),
// and dealers who habitually pay a little late.
var (
	overdueDealers = []string{"D027", "D039"}
	slowPayers     = []string{"D008", "D013", "D020", "D033", "D012"}
)

const d039HoldReason = "AW26 invoices overdue; credit suspended by finance until a payment plan is agreed."
