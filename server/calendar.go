package server

import (
	"context"
	"fmt"
	"time"

	"github.com/netdigest/netdigest/entry"
	"github.com/netdigest/netdigest/pipeline"
	"github.com/netdigest/netdigest/render"
)

// newCalendar is the /talks.ics format: the feeds' cache, validators, 304s
// and gzip (feedHandler), rendered from the store's talks.
func (s *server) newCalendar() *feedFormat {
	return &feedFormat{name: "calendar", contentType: render.CalendarContentType, render: func(ctx context.Context) ([]byte, time.Time, error) {
		talks, err := s.store.Talks(ctx, "")
		if err != nil {
			return nil, time.Time{}, fmt.Errorf("calendar %s: %w", pipeline.CalendarFile, err)
		}
		return s.renderCalendar(pipeline.CalendarFile, talks)
	}}
}

// renderCalendar renders talks as the calendar served at file, with the
// newest entry update as its Last-Modified. Any list of entries will do
// (those without a start are left out): a conference's calendar is its
// talks (store.Talks with its name) under its own file.
func (s *server) renderCalendar(file string, talks []entry.Entry) ([]byte, time.Time, error) {
	body, err := s.runner.RenderCalendar(file, talks)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("%w: %w", errRender, err)
	}
	return body, pipeline.NewestUpdate(talks, s.now()), nil
}
