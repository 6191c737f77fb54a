"""Hostile input that must never come back as active content, in any text or rich-text field."""

HOSTILE_INPUTS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<img src=x onerror=alert(1)>",
    "<body onload=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">mixed case</a>',
    '<a href="jav&#x09;ascript:alert(1)">entity tab</a>',
    '<a href=" &#106;avascript:alert(1)">entity j</a>',
    '<a href="vbscript:msgbox(1)">vb</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<math><mtext><img src=x onerror=alert(1)></mtext></math>",
    '<div style="width: expression(alert(1))">css</div>',
    "<style>body{background:url('javascript:alert(1)')}</style>",
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<iframe src="https://evil.example"></iframe>',
    '<object data="evil.swf"></object><embed src="evil.swf">',
    '<form action="https://evil.example"><input name="x"></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<p>unclosed <b>bold <i>italic",
    '<a href="https://ok.example" onclick="alert(1)" title="x" onmouseover=alert(1)>ok link</a>',
    "<!--<script>alert(1)</script>--><p>comment</p>",
    "<!-- <!-- nested --> <script>alert(1)</script> -->",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<<script>script>alert(1)<</script>/script>",
    '<img """><script>alert(1)</script>">',
    "<details open ontoggle=alert(1)>",
    '<base href="javascript:alert(1)//">',
    "<template><script>alert(1)</script></template>",
    "\x00<script>alert(1)</script>",
]

# Characters that are stored clean (removed) rather than refused: C0/C1 controls
# other than tab and newline, and Unicode direction overrides and isolates.
INVISIBLE_INPUTS = [
    "bell\x07 escape\x1b[31m red",
    "form\x0cfeed vertical\x0btab delete\x7f",
    "c1\x85 controls\x9b",
    "evil\u202etxt.exe",
    "isolate\u2066 inside\u2069 embed\u202a text\u202c",
]
INVISIBLE_CHARACTERS = set("\x07\x1b\x0c\x0b\x7f\x85\x9b\u202e\u2066\u2069\u202a\u202c")

# --- for HTML forms (tests/security/test_hostile_forms.py) ------------------------------------

# A few of the above that cover the kinds of attack (tag, handler, URL scheme, encoded tag, broken markup,
# comment): every form's text fields take each of them.
FORM_MARKUP = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<p>unclosed <b>bold <i>italic",
    "<!--<script>alert(1)</script>--><p>comment</p>",
]

# Lone surrogates as a browser posts them: UTF-8-style escapes of U+D800 and of the pair U+DBFF U+DFFF,
# which are not valid UTF-8, and a truncated sequence.
FORM_SURROGATE_ESCAPES = ["%ED%A0%80", "%ED%AF%BF%ED%BF%BF", "%F0%9F"]

# Numbers where a number, an id or a date goes: negative, one past PostgreSQL's and SQLite's integers,
# more digits than Python converts, not a number at all.
FORM_NUMBERS = ["-1", str(2**31), str(2**63), "9" * 5000, "²"]

# Values no choice list has ("" and "0" are not among them: they mean "none chosen" where that is allowed).
FORM_WRONG_CHOICES = ["no-such-choice", "<script>alert(1)</script>", "\u202eBM", "BM\x07"]

# Longer than any text field allows (the longest, a report synthesis, takes 100,000 characters).
FORM_LONG_TEXT = "long " * 20_001
