package config

import (
	"fmt"
	"time"

	"github.com/robfig/cron/v3"
)

// parseSchedule parses a cron spec as feeds.yaml's are read: robfig/cron's
// standard syntax and descriptors, in loc unless the spec names CRON_TZ
// (cron.ParseStandard alone would read it in the machine's zone, and the
// CLI and the daemon would disagree under another TZ).
func parseSchedule(spec string, loc *time.Location) (cron.Schedule, error) {
	sched, err := cron.ParseStandard(spec)
	if err != nil {
		return nil, fmt.Errorf("schedule %q: %w", spec, err)
	}
	if ss, ok := sched.(*cron.SpecSchedule); ok && ss.Location == time.Local {
		c := *ss
		c.Location = loc
		return &c, nil
	}
	return sched, nil
}

// ParsedSchedule is the source's schedule as Load parsed it (in UTC unless
// it names CRON_TZ). A Source built in code rather than loaded carries only
// its spec: it is parsed here, the one place that knows how.
func (s Source) ParsedSchedule() (cron.Schedule, error) {
	if s.Cron != nil {
		return s.Cron, nil
	}
	return parseSchedule(s.Schedule, time.UTC)
}

// ParsedSchedule is the digest's schedule as Load parsed it, in its
// timezone; for a Digest built in code, its spec (DefaultDigestSchedule
// when empty) parsed in Location (UTC when nil).
func (d Digest) ParsedSchedule() (cron.Schedule, error) {
	if d.Cron != nil {
		return d.Cron, nil
	}
	spec, loc := d.Schedule, d.Location
	if spec == "" {
		spec = DefaultDigestSchedule
	}
	if loc == nil {
		loc = time.UTC
	}
	return parseSchedule(spec, loc)
}
