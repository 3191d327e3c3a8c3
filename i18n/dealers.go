package i18n

// Messages of dealer relationships: dealer record, credit, invoices, returns, analytics, announcements, feedback.

var dealersEN = map[string]string{}

var dealersZH = map[string]string{}

var dealersKO = map[string]string{}
