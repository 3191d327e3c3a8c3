package i18n

// Messages of dealer ordering: catalogue, order grid, drafts, orders, import.

var ordersEN = map[string]string{}

var ordersZH = map[string]string{}

var ordersKO = map[string]string{}
