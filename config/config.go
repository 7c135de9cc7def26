// Package config reads feeds.yaml into plain structs and validates it
// strictly: every problem (unknown key, duplicate name, bad URL, bad cron
// spec…) is reported at once with file:line, so a person fixes the file in
// one pass and nothing is fetched from a config that is partly wrong.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/andybalholm/cascadia"
	"github.com/robfig/cron/v3"
	"gopkg.in/yaml.v3"

	"github.com/netdigest/netdigest/entry"
	"github.com/netdigest/netdigest/keyword"
	"github.com/netdigest/netdigest/redact"
)

// Defaults applied when a key is absent.
const (
	DefaultStore        = "netdigest.db"
	DefaultOutput       = "out"
	DefaultMaxEntries   = 100
	DefaultListen       = "127.0.0.1:8080"
	DefaultSchedule     = "@hourly"
	DefaultWorkers      = 8
	DefaultPerHost      = 2
	DefaultMaxBodyBytes = 10 << 20
	DefaultTimeout      = 60 * time.Second
	DefaultConnect      = 10 * time.Second
	// DefaultDigestSchedule sends the digest on Monday mornings.
	DefaultDigestSchedule = "0 8 * * MON"
)

// Source kinds. Later kinds (html, text, indico) add their own fields.
const (
	KindFeed    = "feed"    // RSS, Atom, JSON Feed
	KindHTML    = "html"    // a listing page scraped with CSS selectors
	KindArticle = "article" // one write-up page: one entry, or one per talk heading
	KindText    = "text"    // plain-text notes (an etherpad export)
	KindIndico  = "indico"  // Indico's export API
)

var knownKinds = []string{KindFeed, KindHTML, KindArticle, KindText, KindIndico}

// Config is a validated feeds.yaml. Paths are absolute.
type Config struct {
	Path       string // the file read
	Title      string
	ID         string // stable URI of the merged feed
	Link       string // public URL where the feed is served
	Store      string // SQLite file
	Output     string // directory for written files
	MaxEntries int
	Listen     string // host:port the daemon serves on
	Fetch      Fetch
	Topics     []Topic // in file order
	Sources    []Source
	Digest     Digest
	Mail       *Mail  // nil: digests are written as files
	Templates  string // directory overriding the embedded templates, "" for none
	// Publish: which parts' feeds run and serve write as files (publish.go).
	Publish Publish
}

// Digest configures the newsletter.
type Digest struct {
	Schedule    string // cron spec for the daemon, default "0 8 * * MON"
	SendEmpty   bool   // send a digest even when nothing is new
	Subject     string // text/template; "" for the default
	Location    *time.Location
	PageURL     string // the web page with the full list, default Link
	Unsubscribe string // URL or mailto: shown in the footer and List-Unsubscribe
	FirstDays   int    // the first digest covers this many days, default 7
	// Cron is Schedule parsed in Location (see ParsedSchedule).
	Cron cron.Schedule
}

// Mail configures SMTP delivery. The password is never in the file: it is
// read from the environment variable named by PasswordEnv when sending.
type Mail struct {
	Host        string
	Port        int
	Security    string // starttls, tls or none
	Username    string
	PasswordEnv string
	From        string
	To          []string
	ListID      string
	// Timeout bounds a session up to the end of the message data;
	// DataTimeout the wait for the server's reply after it (RFC 5321
	// recommends 10 minutes). Zero: mail's defaults.
	Timeout     time.Duration
	DataTimeout time.Duration
}

// Topic tags entries that mention any of its keywords (see package keyword).
type Topic struct {
	Name     string
	Keywords []string
	Match    *keyword.Matcher
}

// Fetch tunes the shared HTTP client and the worker pool.
type Fetch struct {
	Workers        int
	PerHost        int
	Timeout        time.Duration
	ConnectTimeout time.Duration
	MaxBodyBytes   int64
	// MaxItems and MaxContentBytes bound what one fetch of a source adds
	// (see limits.go); each source inherits them unless it sets its own.
	MaxItems, MaxContentBytes int
	// AllowPrivateNetworks lets every source reach loopback, private and
	// link-local addresses (refused by default).
	AllowPrivateNetworks bool
}

// Source is one configured source.
type Source struct {
	Name       string
	Kind       string
	URL        string // absolute http(s) or file:// URL
	Schedule   string // robfig/cron spec
	Conference string
	Tags       []string
	// Base is the real URL a file:// snapshot was taken from: links in it
	// resolve against Base, as they would have on the live page.
	Base string
	// Include keeps only entries matching one of its keywords; Exclude
	// drops entries matching one of its keywords. Nil when not configured.
	Include, Exclude *keyword.Matcher
	Select           *Select // kinds html and article
	Split            *Split  // kinds html, article and feed
	Text             *Text   // kind text
	Indico           *Indico // kind indico
	Line             int     // where the source starts in the file, for messages
	// PublicURL is all the outputs say of where the source is: Base, else
	// the http(s) URL without userinfo and query, else "" (a file://
	// snapshot). URL, with the secrets of ${NAME}, is only fetched.
	PublicURL string
	// MaxItems and MaxContentBytes: the source's own, else fetch's; zero
	// when neither is set (normalize's defaults apply).
	MaxItems, MaxContentBytes int
	// AllowPrivateNetworks lets this source (an intranet wiki) reach
	// loopback, private and link-local addresses.
	AllowPrivateNetworks bool
	// Role, when set, is what every entry of the source is to its talk
	// (report, notes…; see entry.Roles), over what its kind finds.
	Role entry.Role
	// Cron is Schedule parsed in UTC unless it names CRON_TZ (see
	// ParsedSchedule); Schedule stays as written, for display.
	Cron cron.Schedule
}

// Select holds the CSS selectors of a scraped page.
type Select struct {
	Item        string
	Title       string
	Link        string
	LinkAttr    string
	Date        string
	DateAttr    string
	DateLayouts []string
	Summary     string
	Content     string
	Author      string
}

// Split makes each heading start an entry, for pages whose entries are not
// wrapped in one element.
type Split struct {
	Heading string
	Pattern *regexp.Regexp // named groups date, title and speakers; nil when not set
	// Time selects each entry's talk time (its event start); TimeAttr the
	// attribute holding it.
	Time, TimeAttr string
}

// Text configures kind text (plain-text notes).
type Text struct {
	Entry      *regexp.Regexp // a line that starts an entry; groups title, speakers
	StartAfter string
	Date       time.Time
}

// Indico configures kind indico.
type Indico struct {
	Track   string
	Session string
}

// Source returns the source with the given name.
func (c *Config) Source(name string) (Source, bool) {
	for _, s := range c.Sources {
		if s.Name == name {
			return s, true
		}
	}
	return Source{}, false
}

// Problem is one thing wrong in the file.
type Problem struct {
	File string
	Line int
	Msg  string
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Msg)
}

// Error lists every problem found in a config file, in line order.
type Error struct {
	Problems []Problem
}

func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Load reads and validates the config at path.
func Load(path string) (*Config, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return Parse(path, data)
}

// Parse validates data as the contents of the file at path (used to resolve
// relative paths and to name the file in messages).
// ${NAME} in a source url is taken from the process environment.
func Parse(path string, data []byte) (*Config, error) {
	return parse(path, data, os.LookupEnv)
}

func parse(path string, data []byte, env Env) (*Config, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	p := &parser{file: path, dir: filepath.Dir(abs), env: env}
	cfg := p.parse(data)
	if len(p.problems) > 0 {
		sort.SliceStable(p.problems, func(i, j int) bool { return p.problems[i].Line < p.problems[j].Line })
		return nil, &Error{Problems: p.problems}
	}
	cfg.Path = abs
	return cfg, nil
}

type parser struct {
	file     string
	dir      string
	env      Env
	problems []Problem
	// digestSchedule is the digest's schedule value: parsed once the
	// digest's timezone is known, wherever it stands in the block.
	digestSchedule *yaml.Node
}

func (p *parser) errorf(n *yaml.Node, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	p.problems = append(p.problems, Problem{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

func (p *parser) parse(data []byte) *Config {
	cfg := &Config{
		MaxEntries: DefaultMaxEntries,
		Listen:     DefaultListen,
		Digest:     Digest{Schedule: DefaultDigestSchedule, Location: time.UTC, FirstDays: 7},
		Fetch: Fetch{
			Workers:        DefaultWorkers,
			PerHost:        DefaultPerHost,
			Timeout:        DefaultTimeout,
			ConnectTimeout: DefaultConnect,
			MaxBodyBytes:   DefaultMaxBodyBytes,
		},
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			p.errorf(nil, "empty file")
		} else {
			// yaml.v3 syntax errors already say "yaml: line N: …".
			p.errorf(nil, "%v", err)
		}
		return cfg
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		p.errorf(root, "the top level must be a mapping of keys (title, id, link, sources…)")
		return cfg
	}
	var store, output string
	var sourcesNode *yaml.Node
	p.fields(root, "top level", map[string]func(*yaml.Node){
		"title":       func(v *yaml.Node) { p.decode(v, &cfg.Title) },
		"id":          func(v *yaml.Node) { p.decode(v, &cfg.ID) },
		"link":        func(v *yaml.Node) { p.decode(v, &cfg.Link) },
		"store":       func(v *yaml.Node) { p.decode(v, &store) },
		"output":      func(v *yaml.Node) { p.decode(v, &output) },
		"max_entries": func(v *yaml.Node) { p.positive(v, &cfg.MaxEntries) },
		"listen":      func(v *yaml.Node) { p.listen(v, &cfg.Listen) },
		"fetch":       func(v *yaml.Node) { p.fetch(v, &cfg.Fetch) },
		"topics":      func(v *yaml.Node) { cfg.Topics = p.topics(v) },
		"digest":      func(v *yaml.Node) { p.digest(v, &cfg.Digest) },
		"mail":        func(v *yaml.Node) { cfg.Mail = p.mail(v) },
		"templates":   func(v *yaml.Node) { p.decode(v, &cfg.Templates) },
		"sources":     func(v *yaml.Node) { sourcesNode = v },
		"publish":     func(v *yaml.Node) { p.publish(v, &cfg.Publish) },
	})
	if sched, err := parseSchedule(cfg.Digest.Schedule, cfg.Digest.Location); err != nil {
		p.errorf(p.digestSchedule, "digest %v", err)
	} else {
		cfg.Digest.Cron = sched
	}

	if strings.TrimSpace(cfg.Title) == "" {
		p.errorf(root, "title is required")
	}
	if cfg.ID == "" {
		p.errorf(root, "id is required: a stable URI for the merged feed (e.g. tag:example.org,2026:netdigest)")
	} else if u, err := url.Parse(cfg.ID); err != nil || u.Scheme == "" {
		p.errorf(p.valueNode(root, "id"), "id %q is not an absolute URI", cfg.ID)
	}
	if cfg.Link == "" {
		p.errorf(root, "link is required: the public URL where the feed is served")
	} else if !isHTTPURL(cfg.Link) {
		p.errorf(p.valueNode(root, "link"), "link %q is not an absolute http(s) URL", cfg.Link)
	}
	cfg.Store = p.path(store, DefaultStore)
	cfg.Output = p.path(output, DefaultOutput)
	if cfg.Templates != "" {
		cfg.Templates = p.resolve(cfg.Templates)
	}
	if cfg.Digest.PageURL == "" {
		cfg.Digest.PageURL = cfg.Link
	}

	if sourcesNode == nil {
		p.errorf(root, "sources is required: a list of sources")
		return cfg
	}
	cfg.Sources = p.sources(sourcesNode)
	inheritLimits(cfg)
	return cfg
}

// listen checks a host:port for the daemon. An empty host would listen on
// every interface: allowed (behind a firewall it is what people mean), but it
// must be written explicitly as ":8080" or "0.0.0.0:8080".
func (p *parser) listen(v *yaml.Node, dst *string) {
	var addr string
	if !p.decode(v, &addr) {
		return
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		p.errorf(v, "listen %q is not host:port (e.g. 127.0.0.1:8080): %v", addr, err)
		return
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		p.errorf(v, "listen %q: port %q is not a number from 0 to 65535", addr, port)
		return
	}
	if strings.ContainsAny(host, " /") {
		p.errorf(v, "listen %q: bad host %q", addr, host)
		return
	}
	*dst = addr
}

// fields walks a mapping, calling the handler of each known key and
// reporting unknown and repeated keys.
func (p *parser) fields(m *yaml.Node, where string, handlers map[string]func(*yaml.Node)) {
	seen := map[string]bool{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		h, ok := handlers[k.Value]
		switch {
		case !ok:
			p.errorf(k, "unknown key %q in %s (known: %s)", k.Value, where, strings.Join(slices.Sorted(maps.Keys(handlers)), ", "))
		case seen[k.Value]:
			p.errorf(k, "key %q repeated in %s", k.Value, where)
		default:
			seen[k.Value] = true
			h(v)
		}
	}
}

func (p *parser) valueNode(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return m
}

func (p *parser) decode(v *yaml.Node, dst any) bool {
	if err := v.Decode(dst); err != nil {
		p.errorf(v, "%s", strings.TrimPrefix(typeErrorText(err), "yaml: "))
		return false
	}
	return true
}

// typeErrorText drops yaml.v3's own "line N:" since Problem carries the line.
func typeErrorText(err error) string {
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msgs := make([]string, len(te.Errors))
		for i, e := range te.Errors {
			msgs[i] = lineNoise.ReplaceAllString(e, "")
		}
		return strings.Join(msgs, "; ")
	}
	return err.Error()
}

var lineNoise = regexp.MustCompile(`^line \d+: `)

func (p *parser) positive(v *yaml.Node, dst *int) {
	var n int
	if p.decode(v, &n) {
		if n <= 0 {
			p.errorf(v, "must be a positive number, got %d", n)
			return
		}
		*dst = n
	}
}

func (p *parser) duration(v *yaml.Node, dst *time.Duration) {
	var s string
	if !p.decode(v, &s) {
		return
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		p.errorf(v, "%q is not a positive duration such as 30s or 2m", s)
		return
	}
	*dst = d
}

func (p *parser) fetch(v *yaml.Node, f *Fetch) {
	if v.Kind != yaml.MappingNode {
		p.errorf(v, "fetch must be a mapping")
		return
	}
	p.fields(v, "fetch", map[string]func(*yaml.Node){
		"workers":         func(v *yaml.Node) { p.positive(v, &f.Workers) },
		"per_host":        func(v *yaml.Node) { p.positive(v, &f.PerHost) },
		"timeout":         func(v *yaml.Node) { p.duration(v, &f.Timeout) },
		"connect_timeout": func(v *yaml.Node) { p.duration(v, &f.ConnectTimeout) },
		"max_body_bytes": func(v *yaml.Node) {
			var n int
			p.positive(v, &n)
			if n > 0 {
				f.MaxBodyBytes = int64(n)
			}
		},
		"max_items":              func(v *yaml.Node) { p.positive(v, &f.MaxItems) },
		"max_content_bytes":      func(v *yaml.Node) { p.positive(v, &f.MaxContentBytes) },
		"allow_private_networks": func(v *yaml.Node) { p.decode(v, &f.AllowPrivateNetworks) },
	})
}

var validName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

func (p *parser) sources(list *yaml.Node) []Source {
	if list.Kind != yaml.SequenceNode {
		p.errorf(list, "sources must be a list")
		return nil
	}
	if len(list.Content) == 0 {
		p.errorf(list, "sources is empty: nothing to fetch")
	}
	firstLine := map[string]int{}
	var out []Source
	for _, n := range list.Content {
		if n.Kind != yaml.MappingNode {
			p.errorf(n, "each source must be a mapping with name, kind, url…")
			continue
		}
		s := Source{Kind: KindFeed, Schedule: DefaultSchedule, Line: n.Line}
		var rawURL string
		kindNodes := map[string]*yaml.Node{} // kind-specific blocks, checked once the kind is known
		p.fields(n, "source", map[string]func(*yaml.Node){
			"name":       func(v *yaml.Node) { p.decode(v, &s.Name) },
			"kind":       func(v *yaml.Node) { p.decode(v, &s.Kind) },
			"url":        func(v *yaml.Node) { p.decode(v, &rawURL) },
			"schedule":   func(v *yaml.Node) { p.decode(v, &s.Schedule) },
			"conference": func(v *yaml.Node) { p.decode(v, &s.Conference) },
			"tags":       func(v *yaml.Node) { p.decode(v, &s.Tags) },
			"base": func(v *yaml.Node) {
				if !p.decode(v, &s.Base) {
					return
				}
				if !isHTTPURL(s.Base) {
					p.errorf(v, "base %q is not an absolute http(s) URL", redact.String(s.Base))
				} else if u, _ := url.Parse(s.Base); u.User != nil {
					p.errorf(v, "base %q: no user name or password here: base is published", redact.String(s.Base))
				}
			},
			"include": func(v *yaml.Node) { s.Include = p.matcher(v, "include") },
			"exclude": func(v *yaml.Node) { s.Exclude = p.matcher(v, "exclude") },
			"select":  func(v *yaml.Node) { kindNodes["select"] = v; s.Select = p.selectors(v) },
			"split":   func(v *yaml.Node) { kindNodes["split"] = v; s.Split = p.split(v) },
			"text":    func(v *yaml.Node) { kindNodes["text"] = v; s.Text = p.text(v) },
			"indico":  func(v *yaml.Node) { kindNodes["indico"] = v; s.Indico = p.indico(v) },

			// Bounds (limits.go).
			"max_items":              func(v *yaml.Node) { p.positive(v, &s.MaxItems) },
			"max_content_bytes":      func(v *yaml.Node) { p.positive(v, &s.MaxContentBytes) },
			"allow_private_networks": func(v *yaml.Node) { p.decode(v, &s.AllowPrivateNetworks) },

			"role": func(v *yaml.Node) { s.Role = p.role(v) },
		})
		label := "source"
		switch {
		case s.Name == "":
			p.errorf(n, "source has no name")
		case !validName.MatchString(s.Name):
			p.errorf(p.valueNode(n, "name"), "source name %q: use letters, digits, '.', '_' or '-'", s.Name)
		default:
			label = fmt.Sprintf("source %q", s.Name)
			if line, dup := firstLine[s.Name]; dup {
				p.errorf(p.valueNode(n, "name"), "%s: duplicate name (first defined at line %d)", label, line)
			} else {
				firstLine[s.Name] = n.Line
			}
		}
		if !slices.Contains(knownKinds, s.Kind) {
			p.errorf(p.valueNode(n, "kind"), "%s: unknown kind %q (known: %s)", label, s.Kind, strings.Join(knownKinds, ", "))
		} else {
			p.checkKind(n, label, &s, kindNodes)
		}
		// Messages show the url as redact does, never a secret of ${NAME}.
		if rawURL == "" {
			p.errorf(n, "%s: url is required", label)
		} else if expanded, err := p.expandURL(rawURL); err != nil {
			p.errorf(p.valueNode(n, "url"), "%s: url: %v", label, err)
		} else if u, err := p.sourceURL(expanded); err != nil {
			p.errorf(p.valueNode(n, "url"), "%s: url %q: %v", label, redact.String(expanded), err)
		} else {
			s.URL = u
			s.PublicURL = publicURL(s)
		}
		if sched, err := parseSchedule(s.Schedule, time.UTC); err != nil {
			p.errorf(p.valueNode(n, "schedule"), "%s: %v", label, err)
		} else {
			s.Cron = sched
		}
		s.Tags = cleanTags(s.Tags)
		out = append(out, s)
	}
	return out
}

func (p *parser) digest(v *yaml.Node, d *Digest) {
	if !p.mapping(v, "digest") {
		return
	}
	p.fields(v, "digest", map[string]func(*yaml.Node){
		"schedule": func(v *yaml.Node) {
			if p.decode(v, &d.Schedule) {
				p.digestSchedule = v
			}
		},
		"send_empty": func(v *yaml.Node) { p.decode(v, &d.SendEmpty) },
		"subject": func(v *yaml.Node) {
			if p.decode(v, &d.Subject) {
				if _, err := template.New("subject").Parse(d.Subject); err != nil {
					p.errorf(v, "digest subject: %v", err)
				}
			}
		},
		"timezone": func(v *yaml.Node) {
			var name string
			if !p.decode(v, &name) {
				return
			}
			loc, err := time.LoadLocation(name)
			if err != nil {
				p.errorf(v, "timezone %q: %v", name, err)
				return
			}
			d.Location = loc
		},
		"page": func(v *yaml.Node) {
			if p.decode(v, &d.PageURL) && !isHTTPURL(d.PageURL) {
				p.errorf(v, "digest page %q is not an absolute http(s) URL", d.PageURL)
			}
		},
		"unsubscribe": func(v *yaml.Node) {
			if !p.decode(v, &d.Unsubscribe) {
				return
			}
			if u, err := url.Parse(d.Unsubscribe); err != nil || (u.Scheme != "mailto" && !isHTTPURL(d.Unsubscribe)) {
				p.errorf(v, "unsubscribe %q: want an http(s) URL or a mailto: address", d.Unsubscribe)
			}
		},
		"first_days": func(v *yaml.Node) { p.positive(v, &d.FirstDays) },
	})
}

func (p *parser) mail(v *yaml.Node) *Mail {
	if !p.mapping(v, "mail") {
		return nil
	}
	m := &Mail{Security: "starttls"}
	p.fields(v, "mail", map[string]func(*yaml.Node){
		"host": func(v *yaml.Node) { p.decode(v, &m.Host) },
		"port": func(v *yaml.Node) {
			if p.decode(v, &m.Port) && (m.Port <= 0 || m.Port > 65535) {
				p.errorf(v, "port %d out of range", m.Port)
			}
		},
		"security": func(v *yaml.Node) {
			if p.decode(v, &m.Security) && !slices.Contains([]string{"starttls", "tls", "none"}, m.Security) {
				p.errorf(v, "security %q: want starttls, tls or none", m.Security)
			}
		},
		"username":     func(v *yaml.Node) { p.decode(v, &m.Username) },
		"password_env": func(v *yaml.Node) { p.decode(v, &m.PasswordEnv) },
		"password": func(v *yaml.Node) {
			// Refuse the secret itself, and never echo it back.
			p.errorf(v, "mail password must not be in the config file: set password_env to the name of an environment variable holding it")
		},
		"from": func(v *yaml.Node) {
			if p.decode(v, &m.From) {
				if _, err := mail.ParseAddress(m.From); err != nil {
					p.errorf(v, "from %q: %v", m.From, err)
				}
			}
		},
		"to": func(v *yaml.Node) {
			if !p.decode(v, &m.To) {
				return
			}
			for _, a := range m.To {
				if _, err := mail.ParseAddress(a); err != nil {
					p.errorf(v, "to %q: %v", a, err)
				}
			}
		},
		"list_id": func(v *yaml.Node) { p.decode(v, &m.ListID) },

		"timeout":      func(v *yaml.Node) { p.duration(v, &m.Timeout) },
		"data_timeout": func(v *yaml.Node) { p.duration(v, &m.DataTimeout) },
	})
	if m.Host == "" {
		p.errorf(v, "mail needs host")
	}
	if m.From == "" {
		p.errorf(v, "mail needs from")
	}
	if len(m.To) == 0 {
		p.errorf(v, "mail needs to: a list of addresses")
	}
	if m.Username != "" && m.PasswordEnv == "" {
		p.errorf(v, "mail has a username but no password_env")
	}
	return m
}

// kindBlocks says which kind-specific blocks each kind accepts.
var kindBlocks = map[string][]string{
	KindFeed:    {"split"}, // each item's content split at its talk headings
	KindHTML:    {"select", "split"},
	KindArticle: {"select", "split"},
	KindText:    {"text"},
	KindIndico:  {"indico"},
}

func (p *parser) checkKind(n *yaml.Node, label string, s *Source, blocks map[string]*yaml.Node) {
	// In file order, not map order: the same file gives the same message.
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if blocks[k.Value] != n.Content[i+1] {
			continue // not a kind block, or a repeat already reported by fields
		}
		if !slices.Contains(kindBlocks[s.Kind], k.Value) {
			p.errorf(k, "%s: %q does not apply to kind %s", label, k.Value, s.Kind)
		}
	}
	if s.Kind == KindHTML && (s.Select == nil || s.Select.Item == "") && (s.Split == nil || s.Split.Heading == "") {
		p.errorf(n, "%s: kind html needs select.item (one element per entry) or split.heading", label)
	}
	if s.Split != nil && s.Select != nil && s.Select.Item != "" && s.Kind == KindHTML {
		p.errorf(blocks["split"], "%s: use either select.item or split, not both", label)
	}
}

func (p *parser) matcher(v *yaml.Node, what string) *keyword.Matcher {
	var words []string
	if !p.decode(v, &words) {
		return nil
	}
	m, err := keyword.Compile(words)
	if err != nil {
		p.errorf(v, "%s: %v", what, err)
		return nil
	}
	return m
}

func (p *parser) topics(v *yaml.Node) []Topic {
	if v.Kind != yaml.MappingNode {
		p.errorf(v, "topics must be a mapping of topic name to keywords")
		return nil
	}
	var out []Topic
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, val := v.Content[i], v.Content[i+1]
		t := Topic{Name: k.Value}
		if !p.decode(val, &t.Keywords) {
			continue
		}
		m, err := keyword.Compile(t.Keywords)
		if err != nil {
			p.errorf(val, "topic %q: %v", t.Name, err)
			continue
		}
		t.Match = m
		out = append(out, t)
	}
	return out
}

func (p *parser) mapping(v *yaml.Node, what string) bool {
	if v.Kind != yaml.MappingNode {
		p.errorf(v, "%s must be a mapping", what)
		return false
	}
	return true
}

func (p *parser) selectors(v *yaml.Node) *Select {
	if !p.mapping(v, "select") {
		return nil
	}
	sel := &Select{}
	str := func(dst *string) func(*yaml.Node) {
		return func(v *yaml.Node) {
			if p.decode(v, dst) {
				p.checkSelector(v, *dst)
			}
		}
	}
	p.fields(v, "select", map[string]func(*yaml.Node){
		"item":      str(&sel.Item),
		"title":     str(&sel.Title),
		"link":      str(&sel.Link),
		"link_attr": func(v *yaml.Node) { p.decode(v, &sel.LinkAttr) },
		"date":      str(&sel.Date),
		"date_attr": func(v *yaml.Node) { p.decode(v, &sel.DateAttr) },
		"date_layout": func(v *yaml.Node) {
			// One layout or a list of them.
			if v.Kind == yaml.ScalarNode {
				var one string
				if p.decode(v, &one) {
					sel.DateLayouts = []string{one}
				}
				return
			}
			p.decode(v, &sel.DateLayouts)
		},
		"summary": str(&sel.Summary),
		"content": str(&sel.Content),
		"author":  str(&sel.Author),
	})
	return sel
}

// checkSelector rejects CSS selectors that cannot compile, so a typo is a
// config error with a line, not a fetch error later.
func (p *parser) checkSelector(v *yaml.Node, sel string) {
	if strings.TrimSpace(sel) == "" {
		p.errorf(v, "empty selector")
		return
	}
	if _, err := cascadia.ParseGroup(sel); err != nil {
		p.errorf(v, "selector %q: %v", sel, err)
	}
}

func (p *parser) split(v *yaml.Node) *Split {
	if !p.mapping(v, "split") {
		return nil
	}
	sp := &Split{}
	p.fields(v, "split", map[string]func(*yaml.Node){
		"heading": func(v *yaml.Node) {
			if p.decode(v, &sp.Heading) {
				p.checkSelector(v, sp.Heading)
			}
		},
		"pattern": func(v *yaml.Node) { sp.Pattern = p.regexp(v, "date", "title", "speakers") },
		"time": func(v *yaml.Node) {
			if p.decode(v, &sp.Time) {
				p.checkSelector(v, sp.Time)
			}
		},
		"time_attr": func(v *yaml.Node) { p.decode(v, &sp.TimeAttr) },
	})
	if sp.Heading == "" {
		p.errorf(v, "split needs heading: the CSS selector of the headings that start entries")
	}
	return sp
}

// regexp compiles a pattern that must use at least one of the named groups.
func (p *parser) regexp(v *yaml.Node, groups ...string) *regexp.Regexp {
	var src string
	if !p.decode(v, &src) {
		return nil
	}
	re, err := regexp.Compile(src)
	if err != nil {
		p.errorf(v, "pattern: %v", err)
		return nil
	}
	for _, g := range groups {
		if re.SubexpIndex(g) >= 0 {
			return re
		}
	}
	p.errorf(v, "pattern %q has none of the named groups %s (write (?P<%s>…))", src, strings.Join(groups, ", "), groups[0])
	return nil
}

func (p *parser) text(v *yaml.Node) *Text {
	if !p.mapping(v, "text") {
		return nil
	}
	t := &Text{}
	p.fields(v, "text", map[string]func(*yaml.Node){
		"entry":       func(v *yaml.Node) { t.Entry = p.regexp(v, "title") },
		"start_after": func(v *yaml.Node) { p.decode(v, &t.StartAfter) },
		"date": func(v *yaml.Node) {
			var d string
			if !p.decode(v, &d) {
				return
			}
			day, err := time.Parse(time.DateOnly, d)
			if err != nil {
				p.errorf(v, "date %q: want YYYY-MM-DD", d)
				return
			}
			t.Date = day
		},
	})
	return t
}

func (p *parser) indico(v *yaml.Node) *Indico {
	if !p.mapping(v, "indico") {
		return nil
	}
	in := &Indico{}
	p.fields(v, "indico", map[string]func(*yaml.Node){
		"track":   func(v *yaml.Node) { p.decode(v, &in.Track) },
		"session": func(v *yaml.Node) { p.decode(v, &in.Session) },
	})
	return in
}

// sourceURL accepts http(s) and file URLs, and paths (relative ones resolved
// against the config's directory, so a config and its snapshots move together).
func (p *parser) sourceURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", errors.New("not a valid URL")
	}
	switch u.Scheme {
	case "http", "https":
		if u.Host == "" {
			return "", errors.New("no host")
		}
		return u.String(), nil
	case "file":
		if u.Path == "" {
			return "", errors.New("file URL without a path")
		}
		path := u.Path
		if u.Host != "" && u.Host != "localhost" {
			// file://snapshots/x.xml is a common slip for a relative path.
			path = filepath.Join(u.Host, u.Path)
		}
		return fileURL(p.resolve(path)), nil
	case "":
		return fileURL(p.resolve(raw)), nil
	default:
		return "", fmt.Errorf("scheme %q not supported (use http, https or file)", u.Scheme)
	}
}

func (p *parser) resolve(path string) string {
	if filepath.IsAbs(path) {
		return filepath.Clean(path)
	}
	return filepath.Join(p.dir, path)
}

func (p *parser) path(v, def string) string {
	if v == "" {
		v = def
	}
	return p.resolve(v)
}

func fileURL(path string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String()
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func cleanTags(tags []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range tags {
		t = strings.TrimSpace(t)
		if t == "" || seen[strings.ToLower(t)] {
			continue
		}
		seen[strings.ToLower(t)] = true
		out = append(out, t)
	}
	return out
}
