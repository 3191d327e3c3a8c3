package main

import "testing"

func TestGCSettings(t *testing.T) {
	tests := []struct {
		name        string
		limitMiB    int
		env         map[string]string
		wantLimit   int64
		wantPercent int
	}{
		{"default limit", 100, nil, 100 << 20, 400},
		{"GOGC set by the operator", 100, map[string]string{"GOGC": "150"}, 100 << 20, 0},
		{"GOMEMLIMIT wins", 100, map[string]string{"GOMEMLIMIT": "1GiB"}, 0, 0},
		{"limit off", 0, nil, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			limit, percent := gcSettings(tt.limitMiB, func(k string) string { return tt.env[k] })
			if limit != tt.wantLimit || percent != tt.wantPercent {
				t.Errorf("gcSettings = %d, %d; want %d, %d", limit, percent, tt.wantLimit, tt.wantPercent)
			}
		})
	}
}
