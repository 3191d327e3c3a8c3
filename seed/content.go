package seed

// Hand-written texts of the demo data set: feedback threads, announcements and
// notes on dealer records. Dealers write in their own language; head office
// answers in it.

type messageDef struct {
	fromDealer bool
	at, body   string
}

type feedbackDef struct {
	dealer, topic, style, subject string
	rating                        int // 0: none
	status                        string
	messages                      []messageDef
}

var feedbackDefs = []feedbackDef{
	{"D002", "product", "Men's linen shirt", "亚麻衬衫洗后缩水", 2, "answered", []messageDef{
		{true, "2026-04-14T02:31:00Z", "SS26 的男士亚麻衬衫（本色、白色）有多位顾客反馈首次水洗后衣长缩短约2厘米，希望 SS27 批次能做预缩处理。"},
		{false, "2026-04-16T06:05:00Z", "感谢反馈。SS27 批次的亚麻面料已改为预缩处理，缩水率控制在1%以内；SS26 已售出的问题件可按退货流程办理。"},
	}},
	{"D031", "delivery", "", "AW26 2차 납품 지연", 3, "answered", []messageDef{
		{true, "2026-08-27T01:12:00Z", "AW26 D2 물량이 예정보다 9일 늦게 도착했습니다. 추석 전 매장 진열에 차질이 있었습니다. SS27에는 일정 준수 부탁드립니다."},
		{false, "2026-08-28T07:40:00Z", "불편을 드려 죄송합니다. SS27부터 한국행 물량은 부산항 직항 선편으로 변경하여 리드타임을 5일 단축했습니다."},
		{true, "2026-08-28T09:02:00Z", "확인했습니다. 감사합니다."},
	}},
	{"D016", "product", "Men's down puffer jacket", "羽绒服尺码偏小", 3, "answered", []messageDef{
		{true, "2026-10-09T03:15:00Z", "北方客户普遍反映男士羽绒服偏小一码，XL、XXL 很快断码，建议增加大码配比。"},
		{false, "2026-10-10T02:20:00Z", "已记录。AW27 羽绒服版型胸围放宽2厘米，并新增大码预包装（PP3）。本季可先从库存调拨部分 XXL。"},
	}},
	{"D010", "service", "", "新订货系统使用体验", 5, "closed", []messageDef{
		{true, "2026-09-08T04:00:00Z", "新的订货平台很好用，Excel 订单可以直接导入，按尺码看汇总也很清楚，节省了很多时间。"},
		{false, "2026-09-08T08:30:00Z", "谢谢您的肯定！有任何改进建议欢迎随时反馈。"},
	}},
	{"D033", "product", "Women's straight jeans", "데님 워시 색상 차이", 2, "open", []messageDef{
		{true, "2026-11-17T05:22:00Z", "AW26 여성 스트레이트 진 MID 워시 색상이 샘플보다 진합니다. 고객 반응이 좋지 않아 교환 또는 반품 가능 여부 확인 부탁드립니다."},
	}},
	{"D024", "other", "", "SS27 新品陈列指引", 0, "open", []messageDef{
		{true, "2026-11-12T02:45:00Z", "能否提供 SS27 新款的陈列指引和海报电子版？我们春熙路店计划在二月初换季陈列。"},
	}},
}

type announcementDef struct {
	title, body, region, at string
	readers                 []string // dealers whose user has read it
}

var announcementDefs = []announcementDef{
	{
		title: "SS27 订货会开放 / SS27 order book is open",
		body: "春夏2027系列即日起开放订货，截止日期为2027年2月26日。交货分三批：D1 二月、D2 三月、D3 四月。新款请留意“新品”标识。\n\n" +
			"The Spring/Summer 2027 collection is open for ordering until 26 February 2027. Deliveries in three drops: D1 February, D2 March, D3 April 2027. New styles are marked \"new\" in the catalogue.",
		region: "", at: "2026-09-01T01:00:00Z",
		readers: []string{"D001", "D002", "D003", "D004", "D010", "D011", "D012", "D016", "D017", "D021", "D024", "D026", "D028", "D031", "D032", "D036", "D038"},
	},
	{
		title:  "서울 쇼룸 SS27 오더 상담 안내",
		body:   "SS27 신상품 실물 확인 및 오더 상담을 위해 10월 12일부터 16일까지 서울 성수동 쇼룸을 운영합니다. 방문 일정은 담당 MD에게 미리 알려 주시기 바랍니다.",
		region: "SEL", at: "2026-09-15T00:30:00Z",
		readers: []string{"D031", "D032", "D034"},
	},
}

type noteDef struct{ dealer, at, body string }

var noteDefs = []noteDef{
	{"D001", "2026-09-20T03:00:00Z", "Key account. Opening three new stores in Pudong in spring 2027; expects SS27 volume about 10% above AW26."},
	{"D008", "2026-11-05T06:10:00Z", "Buyer changed in the summer. No SS27 order yet; sales to call before the end of November."},
	{"D031", "2026-09-18T02:40:00Z", "Prefers the small-fit prepack PP2 for tops; asks for sea freight via Busan."},
	{"D039", "2026-11-02T07:15:00Z", "Finance put the account on hold: AW26 invoices unpaid. Owner promised a payment plan by mid-December."},
}
