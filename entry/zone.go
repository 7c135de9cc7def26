package entry

import "time"

// ZoneName is the IANA name of t's zone when it has one: a name that load
// (time.LoadLocation, or a cache of it) knows and that gives t's offset.
// "" for UTC, "Local" (another host's zone), a fixed offset, and a zone
// only named like one (the "JST" of a parsed RFC 1123 date). The store
// keeps a talk's zone by this name, and the calendar names its TZIDs by it.
func ZoneName(t time.Time, load func(string) (*time.Location, error)) string {
	name := t.Location().String()
	if name == "" || name == "Local" || name == "UTC" {
		return ""
	}
	loc, err := load(name)
	if err != nil {
		return ""
	}
	_, offset := t.Zone()
	if _, o := t.In(loc).Zone(); o != offset {
		return ""
	}
	return name
}
