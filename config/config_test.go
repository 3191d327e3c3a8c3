package config

import (
	"runtime"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestFromEnvDebugAddr(t *testing.T) {
	tests := []struct {
		addr    string
		wantErr string
	}{
		{"", ""},
		{"127.0.0.1:6060", ""},
		{"localhost:6060", ""},
		{"[::1]:6060", ""},
		{"0.0.0.0:6060", "not a loopback address"},
		{":6060", "not a loopback address"},
		{"10.1.2.3:6060", "not a loopback address"},
		{"6060", "not host:port"},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			_, err := FromEnv(env(map[string]string{"DATABASE_URL": "postgres://x/y", "SIZERUN_DEBUG_ADDR": tt.addr}))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestFromEnvDefaultsAndErrors(t *testing.T) {
	c, err := FromEnv(env(map[string]string{"DATABASE_URL": "postgres://x/y"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Port != 8080 || c.BodyLimit != "8M" || c.LoginPerClient != 20 || c.TokenTTL.Hours() != 8 ||
		c.OrderWriters != 2*runtime.NumCPU() || c.MemoryLimitMiB != DefaultMemoryLimitMiB {
		t.Fatalf("defaults: %+v", c)
	}
	for v, want := range map[string]int{"off": 0, "256": 256, "16": 16} {
		c, err := FromEnv(env(map[string]string{"DATABASE_URL": "postgres://x/y", "SIZERUN_MEMORY_LIMIT": v}))
		if err != nil || c.MemoryLimitMiB != want {
			t.Errorf("SIZERUN_MEMORY_LIMIT=%s: %d, %v; want %d", v, c.MemoryLimitMiB, err, want)
		}
	}
	for _, m := range []map[string]string{
		{},
		{"DATABASE_URL": "postgres://x/y", "PORT": "eighty"},
		{"DATABASE_URL": "postgres://x/y", "SIZERUN_TOKEN_TTL": "-1h"},
		{"DATABASE_URL": "postgres://x/y", "SIZERUN_LOG_LEVEL": "loud"},
		{"DATABASE_URL": "postgres://x/y", "SIZERUN_ORDER_WRITERS": "0"},
		{"DATABASE_URL": "postgres://x/y", "SIZERUN_MEMORY_LIMIT": "8"},
		{"DATABASE_URL": "postgres://x/y", "SIZERUN_MEMORY_LIMIT": "100MiB"},
		{"DATABASE_URL": "postgres://x/y", "SIZERUN_MEMORY_LIMIT": "-1"},
	} {
		if _, err := FromEnv(env(m)); err == nil {
			t.Errorf("FromEnv(%v) accepted", m)
		}
	}
}
