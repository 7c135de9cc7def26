package config

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// NewSource is a source to add to a config file.
type NewSource struct {
	Name, Kind, URL, Conference string
	Tags                        []string
	Comment                     string // written on the line above it; "" for none
}

// AppendSources returns data with srcs added at the end of its sources list.
// It inserts text: every byte already in the file (comments, blank lines,
// key order, quoting) stays as it was, which re-encoding a yaml.v3 node tree
// would not promise. The node tree only says where the list ends and how it
// is indented. The result is not validated: Parse it before writing it.
func AppendSources(data []byte, srcs []NewSource) ([]byte, error) {
	if len(srcs) == 0 {
		return data, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		return nil, errors.New("the top level is not a mapping of keys (title, id, link, sources…)")
	}
	eol := "\n"
	if bytes.Contains(data, []byte("\r\n")) {
		eol = "\r\n"
	}
	lines := splitLines(data)
	before := 0 // sources already in the file
	var at int  // index in lines where the new items go
	indent := "  "
	var out [][]byte
	keyAt := -1
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "sources" {
			keyAt = i
		}
	}
	switch {
	case keyAt < 0:
		// No sources key yet: the list goes at the end of the file.
		if n := len(lines); n > 0 && !bytes.HasSuffix(lines[n-1], []byte("\n")) {
			lines[n-1] = append(lines[n-1], eol...)
		}
		out = append(lines, []byte("sources:"+eol))
		at = len(out)
	default:
		key, val := root.Content[keyAt], root.Content[keyAt+1]
		switch {
		case val.Kind == yaml.ScalarNode && val.Tag == "!!null":
			// "sources:" or "sources: ~": drop the null, list below the key.
			if val.Value != "" {
				if err := cut(lines, val.Line, val.Column, val.Value); err != nil {
					return nil, err
				}
			}
			at = key.Line
		case val.Kind == yaml.SequenceNode && val.Style&yaml.FlowStyle != 0:
			if len(val.Content) > 0 {
				return nil, fmt.Errorf("line %d: sources is a flow list [...]: write it as a block list (one '- name:' per source) to add to it", val.Line)
			}
			if err := cut(lines, val.Line, val.Column, "[]"); err != nil {
				return nil, err
			}
			at = val.Line
		case val.Kind == yaml.SequenceNode:
			before = len(val.Content)
			first, last := val.Content[0], val.Content[len(val.Content)-1]
			var ok bool
			if indent, ok = dashIndent(lines, first); !ok {
				return nil, fmt.Errorf("line %d: cannot tell how the sources list is indented", first.Line)
			}
			end := len(lines)
			if keyAt+2 < len(root.Content) {
				end = root.Content[keyAt+2].Line - 1
			}
			at = last.Line // at least after the last item's first line
			for i := last.Line; i < end && i < len(lines); i++ {
				// Blank lines and comments at column 0 after the list belong
				// to what follows (a head comment of the next key).
				l := strings.TrimRight(string(lines[i]), "\r\n")
				if strings.TrimSpace(l) != "" && !strings.HasPrefix(l, "#") {
					at = i + 1
				}
			}
		default:
			return nil, fmt.Errorf("line %d: sources is not a list", val.Line)
		}
		out = lines
	}
	if at > 0 && !bytes.HasSuffix(out[at-1], []byte("\n")) {
		out[at-1] = append(out[at-1], eol...)
	}
	items, err := encodeSources(srcs, indent, eol, before > 0)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	for _, l := range out[:at] {
		b.Write(l)
	}
	b.WriteString(items)
	for _, l := range out[at:] {
		b.Write(l)
	}
	// The edit is text: check it landed in the sources list, whole.
	if n, err := countSources(b.Bytes()); err != nil || n != before+len(srcs) {
		return nil, fmt.Errorf("adding to the sources list failed (found %d sources after adding %d to %d: %v): the file is left as it was", n, len(srcs), before, err)
	}
	return b.Bytes(), nil
}

// splitLines splits data after each '\n', keeping it.
func splitLines(data []byte) [][]byte {
	var lines [][]byte
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			lines = append(lines, bytes.Clone(data))
			break
		}
		lines = append(lines, bytes.Clone(data[:i+1]))
		data = data[i+1:]
	}
	return lines
}

// cut removes text found at (line, column), 1-based as yaml.v3 reports them.
func cut(lines [][]byte, line, column int, text string) error {
	if line < 1 || line > len(lines) {
		return fmt.Errorf("line %d: not in the file", line)
	}
	l := lines[line-1]
	i := bytes.Index(l[min(len(l), max(0, column-1)):], []byte(text))
	if i < 0 {
		return fmt.Errorf("line %d: cannot find %q to replace with the list", line, text)
	}
	i += min(len(l), max(0, column-1))
	head, tail := l[:i:i], l[i+len(text):]
	if len(bytes.TrimSpace(tail)) == 0 {
		head = bytes.TrimRight(head, " ") // no trailing space left behind
	}
	lines[line-1] = append(head, tail...)
	return nil
}

// dashIndent is the text before the '-' of the list's first item.
func dashIndent(lines [][]byte, item *yaml.Node) (string, bool) {
	if item.Line < 1 || item.Line > len(lines) || item.Column < 2 {
		return "", false
	}
	prefix := string(lines[item.Line-1])[:min(len(lines[item.Line-1]), item.Column-1)]
	i := strings.IndexByte(prefix, '-')
	if i < 0 || strings.TrimSpace(prefix[:i]) != "" {
		return "", false
	}
	return prefix[:i], true
}

// encodeSources writes srcs as block sequence items under indent.
func encodeSources(srcs []NewSource, indent, eol string, spaced bool) (string, error) {
	var b strings.Builder
	for _, s := range srcs {
		item := &yaml.Node{Kind: yaml.MappingNode}
		add := func(k string, v *yaml.Node) {
			item.Content = append(item.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k}, v)
		}
		// Tagged as strings, so that the encoder quotes "null", "~" or
		// "0x19", which would otherwise read back as something else.
		str := func(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }
		add("name", str(s.Name))
		add("kind", str(s.Kind))
		add("url", str(s.URL))
		if s.Conference != "" {
			add("conference", str(s.Conference))
		}
		if ts := cleanTags(s.Tags); len(ts) > 0 {
			tags := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
			for _, t := range ts {
				tags.Content = append(tags.Content, str(t))
			}
			add("tags", tags)
		}
		var buf bytes.Buffer
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(2)
		if err := enc.Encode(&yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{item}}); err != nil {
			return "", fmt.Errorf("source %q: %w", s.Name, err)
		}
		enc.Close()
		if spaced {
			b.WriteString(eol)
		}
		spaced = true
		for _, c := range strings.Split(s.Comment, "\n") {
			if c != "" {
				b.WriteString(indent + "# " + c + eol)
			}
		}
		for _, l := range strings.SplitAfter(buf.String(), "\n") {
			if l != "" {
				b.WriteString(indent + strings.TrimSuffix(l, "\n") + eol)
			}
		}
	}
	return b.String(), nil
}

// ReadFile reads a config file as Load does (at most MaxFileBytes), for
// callers that edit it.
func ReadFile(path string) ([]byte, error) { return readFile(path) }

// CountSources is how many items the file's sources list holds, valid or
// not: a config is complete but for its sources when Parse fails and this
// is 0.
func CountSources(data []byte) (int, error) { return countSources(data) }

func countSources(data []byte) (int, error) {
	var doc struct {
		Sources []yaml.Node `yaml:"sources"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return 0, err
	}
	return len(doc.Sources), nil
}
