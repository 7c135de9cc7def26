package pipeline

import (
	"context"
	"fmt"

	"github.com/netdigest/netdigest/atomicfile"
	"github.com/netdigest/netdigest/entry"
	"github.com/netdigest/netdigest/render"
)

// CalendarFile is the calendar of every talk: served under the public
// link by the daemon, written by `netdigest calendar`.
const CalendarFile = "talks.ics"

// RenderCalendar renders talks as the site's calendar (render.Calendar)
// published as file under the public link: CalendarFile for every talk, a
// conference's own file for its talks. Entries without an event start
// are left out, so any list will do.
func (r *Runner) RenderCalendar(file string, talks []entry.Entry) ([]byte, error) {
	info := render.FeedInfo{
		Title:     r.Config.Title,
		Link:      r.Config.Link, // its host names the UIDs
		Generator: "netdigest",
		Version:   r.Version,
	}
	out, err := render.Calendar(info, talks)
	if err != nil {
		return nil, fmt.Errorf("calendar %s: %w", file, err)
	}
	return out, nil
}

// Calendar renders the calendar of every stored talk.
func (r *Runner) Calendar(ctx context.Context) ([]byte, error) {
	talks, err := r.Store.Talks(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("calendar %s: %w", CalendarFile, err)
	}
	return r.RenderCalendar(CalendarFile, talks)
}

// WriteCalendar writes Calendar to path atomically.
func (r *Runner) WriteCalendar(ctx context.Context, path string) error {
	out, err := r.Calendar(ctx)
	if err != nil {
		return err
	}
	if err := atomicfile.Write(path, out, 0o644); err != nil {
		return fmt.Errorf("calendar: %w", err)
	}
	return nil
}
