package i18n

// Messages of order import (CSV/XLSX) and order documents (PDF).

var importsEN = map[string]string{}

var importsZH = map[string]string{}

var importsKO = map[string]string{}
