package auth

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/sizerun/sizerun/apperr"
)

const secret = "0123456789abcdef0123456789abcdef-test"

func dealer() Principal {
	return Principal{UserID: 7, Email: "d@x.test", Role: RoleDealer, DealerID: 3, DealerCode: "D003"}
}

func TestTokenRoundTrip(t *testing.T) {
	tk, _ := NewTokens(secret, time.Hour)
	s, exp, err := tk.Issue(dealer())
	if err != nil {
		t.Fatal(err)
	}
	if time.Until(exp) < 59*time.Minute {
		t.Errorf("expiry %v too soon", exp)
	}
	p, err := tk.Verify(s)
	if err != nil {
		t.Fatal(err)
	}
	if p != dealer() {
		t.Errorf("principal = %+v", p)
	}
}

func sign(t *testing.T, method jwt.SigningMethod, key any, mutate func(*claims)) string {
	t.Helper()
	now := time.Now()
	c := claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: Issuer, Subject: "7", Audience: jwt.ClaimStrings{Audience},
			IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour)),
		},
		Principal: dealer(),
	}
	if mutate != nil {
		mutate(&c)
	}
	s, err := jwt.NewWithClaims(method, c).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestTokenRefusals(t *testing.T) {
	tk, _ := NewTokens(secret, time.Hour)
	good := sign(t, jwt.SigningMethodHS256, []byte(secret), nil)
	if _, err := tk.Verify(good); err != nil {
		t.Fatalf("control token refused: %v", err)
	}
	parts := strings.Split(good, ".")
	tamperedPayload := func() string {
		b, _ := base64.RawURLEncoding.DecodeString(parts[1])
		b = []byte(strings.Replace(string(b), `"role":"dealer"`, `"role":"admin"`, 1))
		return parts[0] + "." + base64.RawURLEncoding.EncodeToString(b) + "." + parts[2]
	}
	noneHeader := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
	tests := []struct {
		name  string
		token string
	}{
		{"empty", ""},
		{"garbage", "not.a.token"},
		{"wrong key", sign(t, jwt.SigningMethodHS256, []byte("another-secret-another-secret-xx"), nil)},
		{"HS512 instead of HS256", sign(t, jwt.SigningMethodHS512, []byte(secret), nil)},
		{"alg none", sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, nil)},
		{"alg none header on a real payload", noneHeader + "." + parts[1] + "."},
		{"tampered claims", tamperedPayload()},
		{"expired", sign(t, jwt.SigningMethodHS256, []byte(secret), func(c *claims) {
			c.ExpiresAt = jwt.NewNumericDate(time.Now().Add(-time.Minute))
		})},
		{"no expiry", sign(t, jwt.SigningMethodHS256, []byte(secret), func(c *claims) { c.ExpiresAt = nil })},
		{"not yet valid", sign(t, jwt.SigningMethodHS256, []byte(secret), func(c *claims) {
			c.NotBefore = jwt.NewNumericDate(time.Now().Add(time.Hour))
		})},
		{"wrong audience", sign(t, jwt.SigningMethodHS256, []byte(secret), func(c *claims) {
			c.Audience = jwt.ClaimStrings{"someone-else"}
		})},
		{"wrong issuer", sign(t, jwt.SigningMethodHS256, []byte(secret), func(c *claims) { c.Issuer = "evil" })},
		{"dealer without dealer id", sign(t, jwt.SigningMethodHS256, []byte(secret), func(c *claims) { c.DealerID = 0 })},
		{"unknown role", sign(t, jwt.SigningMethodHS256, []byte(secret), func(c *claims) { c.Role = "root" })},
		{"subject mismatch", sign(t, jwt.SigningMethodHS256, []byte(secret), func(c *claims) { c.Subject = "8" })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tk.Verify(tt.token)
			if !apperr.Is(err, apperr.Unauthorized) {
				t.Errorf("Verify = %v, want unauthorized", err)
			}
		})
	}
}

func TestShortSecretRefused(t *testing.T) {
	if _, err := NewTokens("short", time.Hour); err == nil {
		t.Fatal("a short secret was accepted")
	}
}

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash parameters = %s", h)
	}
	for pw, want := range map[string]bool{"correct horse": true, "correct hors": false, "": false} {
		if ok, err := CheckPassword(h, pw); ok != want || err != nil {
			t.Errorf("CheckPassword(%q) = %v, %v", pw, ok, err)
		}
	}
	h2, _ := HashPassword("correct horse")
	if h == h2 {
		t.Error("two hashes of one password are equal: salt missing")
	}
}
