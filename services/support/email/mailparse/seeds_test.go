package mailparse

import (
	"encoding/base64"
	"strings"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// encode returns s in enc, for the mails of the tests.
func encode(enc encoding.Encoding, s string) string {
	out, err := enc.NewEncoder().String(s)
	if err != nil {
		panic(err)
	}
	return out
}

// b64 is base64 of s.
func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// crlf turns a mail written with \n into one with CRLF line ends.
func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

// seeds are real-looking mails: the fuzz target's corpus and the unit
// tests' cases, by name.
var seeds = map[string]string{
	"gbk subject": crlf("From: =?GBK?B?" + b64(encode(simplifiedchinese.GBK, "张三")) + "?= <zhang@example.cn>\n" +
		"To: support@acme.test\nSubject: =?GB2312?B?" + b64(encode(simplifiedchinese.GBK, "打印机无法开机")) + "?=\n" +
		"Message-ID: <gbk-1@example.cn>\nDate: Mon, 7 Dec 2026 09:00:00 +0800\nMIME-Version: 1.0\n" +
		"Content-Type: text/plain; charset=GB2312\nContent-Transfer-Encoding: base64\n\n" +
		b64(encode(simplifiedchinese.GB18030, "您好，打印机无法开机。𠀀")) + "\n"),
	"big5 body": crlf("From: chen@example.tw\nTo: support@acme.test\nSubject: =?Big5?Q?" + qp(encode(traditionalchinese.Big5, "退貨")) + "?=\n" +
		"Message-ID: <big5-1@example.tw>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=big5\n" +
		"Content-Transfer-Encoding: 8bit\n\n" + encode(traditionalchinese.Big5, "我要退貨，謝謝。") + "\n"),
	"iso-2022-jp": crlf("From: =?ISO-2022-JP?B?" + b64(encode(japanese.ISO2022JP, "山田")) + "?= <yamada@example.jp>\n" +
		"To: support@acme.test\nSubject: =?ISO-2022-JP?B?" + b64(encode(japanese.ISO2022JP, "お問い合わせ")) + "?=\n" +
		"Message-ID: <jp-1@example.jp>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=ISO-2022-JP\n" +
		"Content-Transfer-Encoding: 7bit\n\n" + encode(japanese.ISO2022JP, "よろしくお願いします。") + "\n"),
	"nested multipart": crlf(`From: "Ann" <ann@example.com>
To: support@acme.test
Subject: Re: [#42-abcdef] broken screen
Message-ID: <nested-1@example.com>
In-Reply-To: <out-1@acme.test>
References: <first@example.com> <out-1@acme.test>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

--outer
Content-Type: multipart/alternative; boundary="inner"

--inner
Content-Type: text/plain; charset=utf-8

The screen is broken.
--inner
Content-Type: text/html; charset=utf-8

<p>The screen is <b>broken</b>.</p><script>alert(1)</script><img src=x onerror="alert(2)">
--inner--
--outer
Content-Type: application/zip; name="photos.zip"
Content-Disposition: attachment; filename="photos.zip"
Content-Transfer-Encoding: base64

UEsDBBQAAAAIAAAAIQA=
--outer--
`),
	"broken boundary": crlf(`From: bob@example.com
To: support@acme.test
Subject: help
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="nowhere"

--elsewhere
Content-Type: text/plain

Nobody closes this boundary.
`),
	"html only": crlf(`From: carol@example.com
To: support@acme.test
Subject: =?utf-8?Q?evil=0D=0ABcc:_victim@example.com?=
Message-ID: <html-1@example.com>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: text/html; charset=windows-1252

<html><head><style>p{}</style></head><body><p>Caf` + "\xe9" + ` is closed</p><script>steal()</script><a href="javascript:x()">x</a></body></html>
`),
	"no header": "just some bytes\x00\xff\xfe without a header",
	"bad charset": crlf("From: dan@example.com\nSubject: =?x-unknown?B?" + b64("hello") + "?=\nContent-Type: text/plain; charset=x-klingon\n\n" +
		"caf\xc3\xa9 \xff\n"),
}

// qp is s as the Q encoding of an encoded word.
func qp(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteString("=" + strings.ToUpper(hex2(s[i])))
	}
	return b.String()
}

func hex2(c byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[c>>4], digits[c&15]})
}
