package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/netdigest/netdigest/atomicfile"
	"github.com/netdigest/netdigest/pipeline"
)

// feedFlags are feed's choices beyond the merged Atom feed: one topic's or
// one conference's feed, in one format.
type feedFlags struct {
	topic, conference, format *string
}

func addFeedFlags(fs *flag.FlagSet) feedFlags {
	return feedFlags{
		topic:      fs.String("topic", "", "write the feed of the topic `NAME` (from topics:) instead of the merged one"),
		conference: fs.String("conference", "", "write the feed of the conference `NAME` instead of the merged one"),
		format:     fs.String("format", "atom", "the feed's `format`: atom, json (JSON Feed 1.1) or rss"),
	}
}

// merged reports whether the flags ask for the merged Atom feed only.
func (f feedFlags) merged() bool {
	return *f.topic == "" && *f.conference == "" && *f.format == "atom"
}

// writeChosenFeed writes the feed the flags choose to out (stdout when "").
func writeChosenFeed(ctx context.Context, e *env, r *pipeline.Runner, f feedFlags, out string) int {
	format, ok := pipeline.FormatByExt(*f.format)
	if !ok {
		fmt.Fprintf(e.stderr, "netdigest: -format %q: want atom, json or rss\n", *f.format)
		return exitUsage
	}
	var part *pipeline.Part
	kind, name := "", ""
	switch {
	case *f.topic != "" && *f.conference != "":
		fmt.Fprintln(e.stderr, "netdigest: -topic and -conference: give one of them")
		return exitUsage
	case *f.topic != "":
		kind, name = pipeline.PartTopics, *f.topic
	case *f.conference != "":
		kind, name = pipeline.PartConferences, *f.conference
	}
	if kind != "" {
		p, known, err := r.FindPartByName(ctx, kind, name)
		if errors.Is(err, pipeline.ErrNoPart) {
			names := make([]string, len(known))
			for i, k := range known {
				names[i] = fmt.Sprintf("%q", k.Name)
			}
			list := strings.Join(names, ", ")
			if list == "" {
				list = "none"
			}
			fmt.Fprintf(e.stderr, "netdigest: no %s %q (its slug would be %s); known: %s\n",
				strings.TrimSuffix(kind, "s"), name, pipeline.PartSlug(name), list)
			return exitUsage
		}
		if err != nil {
			fmt.Fprintf(e.stderr, "netdigest: %v\n", err)
			return exitPartial
		}
		part = &p
	}
	body, _, err := r.Render(ctx, part, format)
	if err != nil {
		fmt.Fprintf(e.stderr, "netdigest: %v\n", err)
		return exitPartial
	}
	if out == "" {
		e.stdout.Write(body)
		return exitOK
	}
	if err := atomicfile.Write(out, body, 0o644); err != nil {
		fmt.Fprintf(e.stderr, "netdigest: feed: %v\n", err)
		return exitPartial
	}
	return exitOK
}

// publishParts is run's step after the merged feed: the topics' and
// conferences' feeds that publish: asks for, under <output>.
func publishParts(ctx context.Context, e *env, r *pipeline.Runner) int {
	kinds := pipeline.PublishedKinds(r.Config)
	if len(kinds) == 0 {
		return exitOK
	}
	pub, err := r.PublishParts(ctx)
	if err != nil {
		fmt.Fprintf(e.stderr, "netdigest: %v\n", err)
		return exitPartial
	}
	dirs := make([]string, len(kinds))
	for i, k := range kinds {
		dirs[i] = r.Config.Output + "/" + k + "/"
	}
	stale := ""
	if n := len(pub.Removed); n > 0 {
		stale = fmt.Sprintf(" (%d stale removed)", n)
	}
	fmt.Fprintf(e.stdout, "feeds of parts: %d files in %s%s\n", len(pub.Written), strings.Join(dirs, ", "), stale)
	return exitOK
}
