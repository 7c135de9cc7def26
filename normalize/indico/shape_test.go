package indico_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/netdigest/netdigest/normalize/indico"
)

// TestParseShapeChanged: an export whose fields changed type (a newer
// Indico) is an error naming the field and the type found, not "no
// contribution matches" nor an empty event; one odd contribution among
// many is skipped with a warning that names its field.
func TestParseShapeChanged(t *testing.T) {
	every := func(edit func(c map[string]any)) func(ev map[string]any) {
		return func(ev map[string]any) {
			for _, c := range ev["contributions"].([]any) {
				edit(c.(map[string]any))
			}
		}
	}
	track := indico.Rules{Track: "Networking Track"}
	tests := []struct {
		name  string
		edit  func(ev map[string]any)
		rules indico.Rules
		want  string
	}{
		{"track an object, filtered by track", every(func(c map[string]any) {
			c["track"] = map[string]any{"id": 7, "title": c["track"]}
		}), track, "parse indico: event 19: contribution 1: unexpected export shape: contribution.track: want a string, got an object (9 of 9 contributions)"},
		{"track an object, no filter", every(func(c map[string]any) {
			c["track"] = map[string]any{"id": 7, "title": c["track"]}
		}), indico.Rules{}, "contribution.track: want a string, got an object (9 of 9 contributions)"},
		// the contributions without a track still decode: without the
		// check this is "no contribution matches track …"
		{"track an object where set", every(func(c map[string]any) {
			if c["track"] != nil && c["track"] != "Networking Track" {
				c["track"] = nil
			}
			if c["track"] != nil {
				c["track"] = map[string]any{"id": 7, "title": c["track"]}
			}
		}), track, "contribution.track: want a string, got an object"},
		{"speakers a string", every(func(c map[string]any) { c["speakers"] = "Paolo Abeni" }), track,
			"contribution.speakers: want a list, got a string"},
		{"affiliation an object", every(func(c map[string]any) {
			for _, s := range c["speakers"].([]any) {
				s.(map[string]any)["affiliation"] = map[string]any{"name": "Red Hat"}
			}
		}), track, "contribution.speakers.affiliation: want a string, got an object"},
		{"startDate a string", every(func(c map[string]any) { c["startDate"] = "2025-12-11T10:00:00+09:00" }), track,
			"contribution.startDate: want an object, got a string"},
		{"title a number", every(func(c map[string]any) { c["title"] = 42 }), track,
			"contribution.title: want a string, got a number"},
		{"event contributions an object", func(ev map[string]any) {
			ev["contributions"] = map[string]any{"2101": ev["contributions"].([]any)[0]}
		}, track, "parse indico: result 1: unexpected export shape: event.contributions: want a list, got an object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := indico.Parse(withEvent(t, tt.edit), "application/json", exportURL, tt.rules)
			if err == nil {
				t.Fatalf("no error: %d items, warnings %q", len(doc.Items), doc.Warnings)
			}
			if !errors.Is(err, indico.ErrShape) || !strings.Contains(err.Error(), tt.want) || errors.Is(err, indico.ErrNoMatch) {
				t.Errorf("error %q, want ErrShape containing %q", err, tt.want)
			}
		})
	}

	t.Run("one odd contribution: a warning naming the field", func(t *testing.T) {
		body := withEvent(t, func(ev map[string]any) { contrib(ev, 0)["track"] = map[string]any{"title": "Networking Track"} })
		doc, err := indico.Parse(body, "application/json", exportURL, track)
		if err != nil {
			t.Fatal(err)
		}
		want := "event 19: contribution 1 skipped: unexpected export shape: contribution.track: want a string, got an object"
		if len(doc.Items) != len(networking)-1 || len(doc.Warnings) != 1 || doc.Warnings[0] != want {
			t.Errorf("%d items, warnings %q, want %q", len(doc.Items), doc.Warnings, want)
		}
	})
}
