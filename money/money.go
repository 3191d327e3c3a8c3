// Package money holds exact amounts of money as integer hundredths (cents, fen)
// of a currency unit. Amounts read from PostgreSQL numeric columns and are
// written to JSON as decimal strings with two decimals, never as floats.
package money

import (
	"database/sql/driver"
	"fmt"
	"strconv"
	"strings"
)

// Amount is a quantity of money in hundredths of the currency unit.
type Amount int64

// Parse reads "1234.5", "1234.50", "-3" or "1,234.50" into an Amount. It refuses
// more than two decimals, since money here is never rounded silently.
func Parse(s string) (Amount, error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	if s == "" {
		return 0, fmt.Errorf("empty amount")
	}
	neg := false
	if s[0] == '-' || s[0] == '+' {
		neg = s[0] == '-'
		s = s[1:]
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" && (!hasFrac || frac == "") {
		return 0, fmt.Errorf("invalid amount %q", s)
	}
	if len(frac) > 2 {
		// Accept trailing zeros from numeric columns of higher scale ("1.5000").
		if strings.Trim(frac[2:], "0") != "" {
			return 0, fmt.Errorf("amount %q has more than two decimals", s)
		}
		frac = frac[:2]
	}
	for len(frac) < 2 {
		frac += "0"
	}
	if whole == "" {
		whole = "0"
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return 0, fmt.Errorf("invalid amount %q", s)
		}
	}
	if len(whole) > 15 {
		return 0, fmt.Errorf("amount %q is too large", s)
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("invalid amount %q", s)
	}
	f, _ := strconv.ParseInt(frac, 10, 64)
	a := Amount(w*100 + f)
	if neg {
		a = -a
	}
	return a, nil
}

// MustParse is Parse for constants in tests and seed data; it panics on error.
func MustParse(s string) Amount {
	a, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return a
}

// String formats the amount with two decimals: "1234.50".
func (a Amount) String() string {
	var buf [24]byte
	return string(a.appendTo(buf[:0]))
}

// appendTo appends the amount with two decimals to b. Amounts are written
// hundreds of times per order (lines, JSON, SQL parameters), so this
// avoids fmt.
func (a Amount) appendTo(b []byte) []byte {
	v := uint64(a)
	if a < 0 {
		b = append(b, '-')
		v = -v // two's complement: right for math.MinInt64 too
	}
	b = strconv.AppendUint(b, v/100, 10)
	c := v % 100
	return append(b, '.', byte('0'+c/10), byte('0'+c%10))
}

// Grouped formats with thousands separators for display: "1,234.50".
func (a Amount) Grouped() string {
	s := a.String()
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return sign + b.String() + "." + frac
}

// Times multiplies by an integer quantity, exactly.
func (a Amount) Times(qty int) Amount { return a * Amount(qty) }

// MarshalJSON writes the amount as a decimal string.
func (a Amount) MarshalJSON() ([]byte, error) {
	b := make([]byte, 1, 26)
	b[0] = '"'
	return append(a.appendTo(b), '"'), nil
}

// UnmarshalJSON reads a decimal string (or, leniently, a JSON number literal,
// parsed from its text so no float is involved).
func (a *Amount) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	v, err := Parse(s)
	if err != nil {
		return err
	}
	*a = v
	return nil
}

// Scan reads a numeric column.
func (a *Amount) Scan(src any) error {
	switch v := src.(type) {
	case []byte:
		p, err := Parse(string(v))
		*a = p
		return err
	case string:
		p, err := Parse(v)
		*a = p
		return err
	case int64:
		*a = Amount(v * 100)
		return nil
	case nil:
		*a = 0
		return nil
	}
	return fmt.Errorf("money: cannot scan %T", src)
}

// Value writes the amount as a decimal string for a numeric parameter.
func (a Amount) Value() (driver.Value, error) { return a.String(), nil }
