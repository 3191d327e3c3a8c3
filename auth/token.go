package auth

import (
	"errors"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/sizerun/sizerun/apperr"
)

// Token issuer and audience; tokens with other values are refused.
const (
	Issuer   = "sizerun"
	Audience = "sizerun-api"
)

// Tokens signs and verifies HS256 JWTs with one secret.
type Tokens struct {
	secret []byte
	ttl    time.Duration
	now    func() time.Time
}

// NewTokens returns a signer. The secret must be at least 32 bytes.
func NewTokens(secret string, ttl time.Duration) (*Tokens, error) {
	if len(secret) < 32 {
		return nil, errors.New("SIZERUN_JWT_SECRET must be at least 32 characters")
	}
	if ttl <= 0 {
		ttl = 2 * time.Hour
	}
	return &Tokens{secret: []byte(secret), ttl: ttl, now: time.Now}, nil
}

type claims struct {
	jwt.RegisteredClaims
	Principal
}

// Issue signs a token for p and returns it with its expiry.
func (t *Tokens) Issue(p Principal) (string, time.Time, error) {
	now := t.now().UTC().Truncate(time.Second)
	exp := now.Add(t.ttl)
	c := claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    Issuer,
			Subject:   strconv.Itoa(p.UserID),
			Audience:  jwt.ClaimStrings{Audience},
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(exp),
		},
		Principal: p,
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(t.secret)
	return s, exp, err
}

// Verify parses a token and returns its principal. Any defect (wrong method
// or key, alg none, expired, not yet valid, wrong issuer or audience, missing
// claims) is an unauthorized error.
func (t *Tokens) Verify(token string) (Principal, error) {
	var c claims
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return t.secret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithIssuer(Issuer),
		jwt.WithAudience(Audience),
		jwt.WithTimeFunc(t.now),
		jwt.WithLeeway(5*time.Second),
	)
	if err != nil {
		return Principal{}, apperr.New(apperr.Unauthorized, "invalid or expired token")
	}
	p := c.Principal
	if p.UserID <= 0 || !p.Role.Valid() || c.Subject != strconv.Itoa(p.UserID) ||
		(p.Role == RoleDealer && p.DealerID <= 0) || (p.Role == RoleSupplier && p.SupplierID <= 0) {
		return Principal{}, apperr.New(apperr.Unauthorized, "invalid token claims")
	}
	return p, nil
}

// TTL is how long issued tokens live.
func (t *Tokens) TTL() time.Duration { return t.ttl }
