package main
import (
 _ "github.com/labstack/echo/v4"
 _ "github.com/jmoiron/sqlx"
 _ "github.com/lib/pq"
 _ "github.com/golang-jwt/jwt/v5"
 _ "github.com/go-pdf/fpdf"
 _ "github.com/pressly/goose/v3"
 _ "github.com/xuri/excelize/v2"
 _ "github.com/schollz/progressbar/v3"
 _ "golang.org/x/crypto/argon2"
 _ "golang.org/x/term"
 _ "github.com/google/go-cmp/cmp"
 _ "github.com/PuerkitoBio/goquery"
)
func main(){}
