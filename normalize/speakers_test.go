package normalize

import (
	"reflect"
	"testing"

	"github.com/netdigest/netdigest/entry"
)

func TestSplitSpeakers(t *testing.T) {
	tests := []struct {
		in   string
		want []entry.Speaker
	}{
		{"Shrijeet, David", []entry.Speaker{{Name: "Shrijeet"}, {Name: "David"}}},
		{"A and B & C; D", []entry.Speaker{{Name: "A"}, {Name: "B"}, {Name: "C"}, {Name: "D"}}},
		{"Alexander Duyck", []entry.Speaker{{Name: "Alexander Duyck"}}}, // "and" inside a word
		{"Jesper Brouer (Red Hat), Tom  Herbert", []entry.Speaker{{Name: "Jesper Brouer", Affiliation: "Red Hat"}, {Name: "Tom Herbert"}}},
		{"Ann Lee (Example, Inc.) and Bo", []entry.Speaker{{Name: "Ann Lee", Affiliation: "Example, Inc."}, {Name: "Bo"}}},
		{" , ", nil},
		{"", nil},
	}
	for _, tt := range tests {
		if got := SplitSpeakers(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("SplitSpeakers(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
