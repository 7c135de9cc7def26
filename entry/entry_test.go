package entry

import (
	"reflect"
	"testing"
)

func TestByline(t *testing.T) {
	tests := []struct {
		name string
		e    Entry
		want []string
	}{
		{"authors win", Entry{Authors: []string{"nevola"}, Speakers: []Speaker{{Name: "Tom Herbert"}}}, []string{"nevola"}},
		{"else the speakers, with affiliations", Entry{Speakers: []Speaker{{Name: "Paolo Abeni", Affiliation: "Red Hat"}, {Name: ""}, {Name: "Lena Hartmann"}}},
			[]string{"Paolo Abeni (Red Hat)", "Lena Hartmann"}},
		{"nobody", Entry{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.e.Byline(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Byline() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRelatedLabel(t *testing.T) {
	for _, tt := range []struct {
		role Role
		want string
	}{
		{RoleAbstract, "Abstract"}, {RoleReport, "Write-up by bootlin"}, {RoleNotes, "Notes"},
		{RoleSlides, "Slides"}, {RoleVideo, "Video"}, {RoleNews, "bootlin"}, {"", "bootlin"},
	} {
		if got := (Related{Source: "bootlin", Role: tt.role}).Label(); got != tt.want {
			t.Errorf("Label of role %q = %q, want %q", tt.role, got, tt.want)
		}
	}
}
