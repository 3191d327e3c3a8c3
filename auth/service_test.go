package auth

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/sizerun/sizerun/apperr"
)

// memStore is the smallest Store for Login: one user, no rate limits.
type memStore struct{ u User }

func (m memStore) UserByEmail(_ context.Context, email string) (User, error) {
	if email != m.u.Email {
		return User{}, apperr.New(apperr.NotFound, "no user")
	}
	return m.u, nil
}
func (memStore) CreateUser(context.Context, NewUser, string) (int, error) { return 0, nil }
func (memStore) Hit(context.Context, string, time.Duration) (int, error)  { return 1, nil }
func (memStore) SetLocale(context.Context, int, string) error             { return nil }

func TestLoginBoundsConcurrentHashes(t *testing.T) {
	hash, err := HashPassword("right-password")
	if err != nil {
		t.Fatal(err)
	}
	st := memStore{u: User{Principal: Principal{UserID: 1, Email: "a@b.test", Role: RolePlanner}, PasswordHash: hash, Active: true}}
	tokens, err := NewTokens(secret, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	s := NewService(st, tokens, DefaultLimits)
	if got := cap(s.hashing); got != runtime.NumCPU() {
		t.Fatalf("capacity %d, want NumCPU %d", got, runtime.NumCPU())
	}

	// Every slot taken: a login waits, and gives up with its context.
	for range cap(s.hashing) {
		s.hashing <- struct{}{}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, _, _, err := s.Login(ctx, "a@b.test", "right-password", "c"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("login with every slot taken: %v, want context.DeadlineExceeded", err)
	}
	// A slot frees: the waiting login goes through.
	done := make(chan error, 1)
	go func() {
		_, _, _, err := s.Login(context.Background(), "a@b.test", "right-password", "c")
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("login finished while every slot was taken: %v", err)
	default:
	}
	<-s.hashing
	if err := <-done; err != nil {
		t.Fatalf("login after a slot freed: %v", err)
	}
	for range cap(s.hashing) - 1 {
		<-s.hashing
	}
	if len(s.hashing) != 0 {
		t.Fatalf("%d slots still held after the logins", len(s.hashing))
	}
	// Wrong password: still invalid_credentials, slot released.
	if _, _, _, err := s.Login(context.Background(), "a@b.test", "wrong-password", "c"); !apperr.Is(err, apperr.InvalidCredentials) {
		t.Fatalf("wrong password: %v", err)
	}
	if len(s.hashing) != 0 {
		t.Fatal("slot not released after a failed login")
	}
}
