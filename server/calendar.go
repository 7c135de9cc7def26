package server

import (
	"context"
	"fmt"
	"time"

	"github.com/netdigest/netdigest/entry"
	"github.com/netdigest/netdigest/render"
)

// calendarFile is where the calendar of every talk is served, under the
// public link.
const calendarFile = "talks.ics"

// newCalendar is the /talks.ics format: the feeds' cache, validators, 304s
// and gzip (feedHandler), rendered from the store's talks.
func (s *server) newCalendar() *feedFormat {
	return &feedFormat{name: "calendar", contentType: render.CalendarContentType, render: func(ctx context.Context) ([]byte, time.Time, error) {
		talks, err := s.store.Talks(ctx, "")
		if err != nil {
			return nil, time.Time{}, fmt.Errorf("calendar %s: %w", calendarFile, err)
		}
		return s.renderCalendar(calendarFile, talks)
	}}
}

// renderCalendar renders talks as the calendar served at file, with the
// newest entry update as its Last-Modified. Any list of entries will do
// (those without a start are left out): a conference's calendar is its
// talks (store.Talks with its name) under its own file.
func (s *server) renderCalendar(file string, talks []entry.Entry) ([]byte, time.Time, error) {
	now := s.now()
	// The calendar names no source: no states needed for the info.
	body, err := render.Calendar(s.feedInfo(file, now, nil), talks)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("%w: %s: %w", errRender, file, err)
	}
	return body, newestUpdate(talks, now), nil
}
