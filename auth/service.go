package auth

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/sizerun/sizerun/apperr"
)

// User is a stored user with its password hash.
type User struct {
	Principal
	PasswordHash string
	Active       bool
}

// Store is what the auth service needs from the database.
type Store interface {
	// UserByEmail returns the user; apperr.NotFound when there is none.
	UserByEmail(ctx context.Context, email string) (User, error)
	// CreateUser stores a user and returns its id; apperr.Conflict if the email is taken,
	// apperr.NotFound if the dealer or supplier code does not exist.
	CreateUser(ctx context.Context, u NewUser, hash string) (int, error)
	// Hit adds one hit to a fixed-window counter and returns the window's total.
	Hit(ctx context.Context, bucket string, window time.Duration) (int, error)
	// SetLocale changes a user's language.
	SetLocale(ctx context.Context, userID int, locale string) error
}

// NewUser is the input of `portal user add`.
type NewUser struct {
	Email        string
	Password     string
	Role         Role
	DealerCode   string
	SupplierCode string
	Name         string
	Locale       string
}

// Limits for login attempts, per client address and per account, per window.
type Limits struct {
	PerClient  int
	PerAccount int
	Window     time.Duration
}

// DefaultLimits allow 20 attempts per client address and 10 per account per 5 minutes.
var DefaultLimits = Limits{PerClient: 20, PerAccount: 10, Window: 5 * time.Minute}

// Service logs users in.
type Service struct {
	store  Store
	tokens *Tokens
	limits Limits
	// hashing bounds the password checks running at once: each argon2id
	// check takes 19 MiB, and they are CPU-bound, so more than one per CPU
	// only costs memory (64 concurrent logins took 688 MB, issue 6).
	hashing chan struct{}
}

// NewService returns the auth service.
func NewService(store Store, tokens *Tokens, limits Limits) *Service {
	return &Service{store: store, tokens: tokens, limits: limits, hashing: make(chan struct{}, runtime.NumCPU())}
}

// checkPassword is CheckPassword with at most cap(s.hashing) checks at a
// time; waiting for a slot ends with ctx.
func (s *Service) checkPassword(ctx context.Context, hash, password string) (bool, error) {
	select {
	case s.hashing <- struct{}{}:
	case <-ctx.Done():
		return false, ctx.Err()
	}
	defer func() { <-s.hashing }()
	return CheckPassword(hash, password)
}

// Tokens returns the token signer.
func (s *Service) Tokens() *Tokens { return s.tokens }

// Login checks email and password and issues a token. Wrong email and wrong
// password give the same invalid_credentials error after the same work;
// too many attempts give rate_limited.
func (s *Service) Login(ctx context.Context, email, password, client string) (string, time.Time, Principal, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	n, err := s.store.Hit(ctx, "login:client:"+client, s.limits.Window)
	if err != nil {
		return "", time.Time{}, Principal{}, err
	}
	m, err := s.store.Hit(ctx, "login:account:"+email, s.limits.Window)
	if err != nil {
		return "", time.Time{}, Principal{}, err
	}
	if n > s.limits.PerClient || m > s.limits.PerAccount {
		return "", time.Time{}, Principal{}, apperr.New(apperr.RateLimited, "too many login attempts; try again in a few minutes")
	}
	u, err := s.store.UserByEmail(ctx, email)
	hash := u.PasswordHash
	if err != nil {
		if !apperr.Is(err, apperr.NotFound) {
			return "", time.Time{}, Principal{}, err
		}
		hash = dummyHash
	}
	ok, herr := s.checkPassword(ctx, hash, password)
	if cerr := ctx.Err(); herr != nil && cerr != nil {
		return "", time.Time{}, Principal{}, cerr
	}
	if err != nil || herr != nil || !ok || !u.Active {
		return "", time.Time{}, Principal{}, apperr.New(apperr.InvalidCredentials, "wrong email or password")
	}
	tok, exp, err := s.tokens.Issue(u.Principal)
	if err != nil {
		return "", time.Time{}, Principal{}, fmt.Errorf("issue token: %w", err)
	}
	return tok, exp, u.Principal, nil
}

// AddUser validates and stores a new user.
func (s *Service) AddUser(ctx context.Context, u NewUser) (int, error) {
	u.Email = strings.ToLower(strings.TrimSpace(u.Email))
	var details []apperr.Detail
	if !strings.Contains(u.Email, "@") || len(u.Email) > 254 {
		details = append(details, apperr.Detail{Field: "email", Message: "a valid email address is required"})
	}
	if !u.Role.Valid() {
		details = append(details, apperr.Detail{Field: "role", Message: "role must be dealer, planner, supplier or admin"})
	}
	if len(u.Password) < 10 {
		details = append(details, apperr.Detail{Field: "password", Message: "password must have at least 10 characters"})
	}
	if (u.Role == RoleDealer) != (u.DealerCode != "") {
		details = append(details, apperr.Detail{Field: "dealer", Message: "a dealer code is required for dealers, and only for them"})
	}
	if (u.Role == RoleSupplier) != (u.SupplierCode != "") {
		details = append(details, apperr.Detail{Field: "supplier", Message: "a supplier code is required for suppliers, and only for them"})
	}
	if u.Locale == "" {
		u.Locale = "en"
	}
	if u.Locale != "en" && u.Locale != "zh" && u.Locale != "ko" {
		details = append(details, apperr.Detail{Field: "locale", Message: "locale must be en, zh or ko"})
	}
	if len(details) > 0 {
		return 0, apperr.Invalid(fmt.Sprintf("%d fields are invalid", len(details)), details...)
	}
	hash, err := HashPassword(u.Password)
	if err != nil {
		return 0, err
	}
	return s.store.CreateUser(ctx, u, hash)
}

// SetLocale stores the user's language choice.
func (s *Service) SetLocale(ctx context.Context, userID int, locale string) error {
	return s.store.SetLocale(ctx, userID, locale)
}
