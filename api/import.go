package api

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/orderimport"
	"github.com/sizerun/sizerun/ordering"
	"github.com/sizerun/sizerun/web"
)

// RegisterImport adds the order import (api.md "Orders") to the
// authenticated /api/v1 group:
//
//	POST /orders/import   multipart/form-data: file (CSV or XLSX), dealer
//	                      (optional, head office) → 201 {"items": [orders]};
//	                      Idempotency-Key honoured
func RegisterImport(g *echo.Group, svc *orderimport.Service) {
	h := importHandlers{svc: svc}
	g.POST("/orders/import", h.importOrders)
}

type importHandlers struct{ svc *orderimport.Service }

// maxFormParts bounds the parts of an import request, and maxFieldSize
// the size of a part that is not the file.
const (
	maxFormParts = 8
	maxFieldSize = 1 << 10
)

func (h importHandlers) importOrders(c echo.Context) error {
	up, err := readUpload(c.Request())
	if err != nil {
		return err
	}
	orders, created, err := h.svc.Import(c.Request().Context(), web.MustPrincipal(c), up, c.Request().Header.Get("Idempotency-Key"))
	if err != nil {
		return err
	}
	if !created {
		c.Response().Header().Set("Idempotent-Replayed", "true")
	}
	return c.JSON(http.StatusCreated, List[ordering.Order]{Items: orders})
}

// readUpload streams the multipart body: the file part "file" up to
// orderimport.MaxFileSize (payload_too_large beyond), and the "dealer" field.
func readUpload(r *http.Request) (orderimport.Upload, error) {
	var up orderimport.Upload
	mt, _, err := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
	if err != nil || mt != "multipart/form-data" {
		return up, apperr.Field("file", "send the file as multipart/form-data in a part named file")
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return up, apperr.Field("file", "send the file as multipart/form-data in a part named file")
	}
	haveFile := false
	for n := 0; ; n++ {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return up, uploadError(err)
		}
		if n >= maxFormParts {
			return up, apperr.Field("body", "the form has too many parts")
		}
		switch part.FormName() {
		case "file":
			if haveFile {
				return up, apperr.Field("file", "send one file")
			}
			haveFile = true
			up.Name = part.FileName()
			up.Data, err = io.ReadAll(io.LimitReader(part, orderimport.MaxFileSize+1))
			if err != nil {
				return up, uploadError(err)
			}
			if len(up.Data) > orderimport.MaxFileSize {
				return up, apperr.New(apperr.PayloadTooLarge, orderimport.MsgFileTooLarge, orderimport.MaxFileSize>>20)
			}
		case "dealer":
			b, err := io.ReadAll(io.LimitReader(part, maxFieldSize+1))
			if err != nil {
				return up, uploadError(err)
			}
			if len(b) > maxFieldSize {
				return up, apperr.Field("dealer", "dealer is too long")
			}
			up.Dealer = strings.TrimSpace(string(b))
		default:
			// Other fields are ignored, but read no further than needed.
			if _, err := io.Copy(io.Discard, io.LimitReader(part, maxFieldSize)); err != nil {
				return up, uploadError(err)
			}
		}
		part.Close()
	}
	if !haveFile {
		return up, apperr.Field("file", "the form has no part named file")
	}
	return up, nil
}

func uploadError(err error) error {
	var mbe *http.MaxBytesError
	var he *echo.HTTPError
	if errors.As(err, &mbe) || (errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge) {
		return apperr.New(apperr.PayloadTooLarge, "the request body is too large")
	}
	return apperr.Field("file", "the multipart body could not be read")
}
