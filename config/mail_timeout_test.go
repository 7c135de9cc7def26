package config

import (
	"strings"
	"testing"
	"time"
)

func TestParseMailTimeouts(t *testing.T) {
	head := "title: t\nid: urn:x\nlink: https://news.example.org/\nsources:\n  - name: a\n    url: http://x/\n" +
		"mail:\n  host: smtp.example.org\n  from: d@example.org\n  to: [a@example.org]\n"
	cfg, err := Parse("feeds.yaml", []byte(head+"  timeout: 45s\n  data_timeout: 15m\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Mail.Timeout != 45*time.Second || cfg.Mail.DataTimeout != 15*time.Minute {
		t.Errorf("timeouts = %s, %s", cfg.Mail.Timeout, cfg.Mail.DataTimeout)
	}
	if cfg, err = Parse("feeds.yaml", []byte(head)); err != nil || cfg.Mail.Timeout != 0 || cfg.Mail.DataTimeout != 0 {
		t.Errorf("defaults (mail's own): %+v, %v", cfg.Mail, err)
	}
	_, err = Parse("feeds.yaml", []byte(head+"  data_timeout: soon\n"))
	if err == nil || !strings.Contains(err.Error(), `:11: "soon" is not a positive duration`) {
		t.Errorf("bad data_timeout: %v", err)
	}
}
