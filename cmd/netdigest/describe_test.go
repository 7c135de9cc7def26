package main

import (
	"strings"
	"testing"

	"github.com/netdigest/netdigest/pipeline"
	"github.com/netdigest/netdigest/store"
)

// TestDescribe: a progress line says what happened; a 304 only is a 304.
func TestDescribe(t *testing.T) {
	tests := []struct {
		name string
		res  pipeline.Result
		want string
	}{
		{"304", pipeline.Result{Outcome: pipeline.Unchanged, NotModified: true}, "unchanged (304)"},
		{"first fetch, no items", pipeline.Result{Outcome: pipeline.Unchanged,
			Warnings: []string{"0 entries parsed from 48 KB of RSS"}},
			"0 entries (warning: 0 entries parsed from 48 KB of RSS)"},
		{"nothing new", pipeline.Result{Outcome: pipeline.Unchanged, Parsed: 12, Counts: store.Counts{Unchanged: 12}},
			"unchanged: 12 entries"},
		{"recovered", pipeline.Result{Outcome: pipeline.New, Parsed: 3, Counts: store.Counts{New: 3},
			Warnings: []string{"the document broke at line 9; recovered 3 complete items"}},
			"new: 3 new, 0 updated of 3 (warning: the document broke at line 9; recovered 3 complete items)"},
		{"several warnings", pipeline.Result{Source: "blog", Outcome: pipeline.New, Parsed: 1, Counts: store.Counts{New: 1},
			Warnings: []string{"a", "b"}},
			"new: 1 new, 0 updated of 1 (2 warnings: 'netdigest preview blog' lists them)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := describe(tt.res); got != tt.want {
				t.Errorf("describe = %q, want %q", got, tt.want)
			}
			if !tt.res.NotModified && strings.Contains(describe(tt.res), "304") {
				t.Errorf("%q says 304 for a document that was parsed", describe(tt.res))
			}
		})
	}
}
