package i18n

// Messages of planners: rollups, production orders, fabric forecasts.

var planningEN = map[string]string{}

var planningZH = map[string]string{}

var planningKO = map[string]string{}
