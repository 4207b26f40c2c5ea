package contacts_test

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/importjob"

	"github.com/rapport-crm/rapport/services/contacts"
	"github.com/rapport-crm/rapport/services/contacts/customer"
)

// chineseFile is a file of three contacts with Chinese names, their emails
// marked with tag, in UTF-8: a header and rows as Chinese tools write them.
func chineseFile(tag string) string {
	return "姓,名,邮箱,电话,公司,标签,城市\r\n" +
		fmt.Sprintf("张,伟,zhang.wei.%s@example.cn,+86 138 0013 8%03d,华为,VIP;新客户,北京\r\n", tag, len(tag)) +
		fmt.Sprintf("王,芳,wang.fang.%s@example.cn,,华为,,上海\r\n", tag) +
		fmt.Sprintf("李,娜,\"li.na.%s@example.cn\",,,,\"广州\"\r\n", tag)
}

// chineseMapping maps chineseFile's columns.
var chineseMapping = map[string]string{"姓": "lastName", "名": "firstName", "邮箱": "emails", "电话": "phones", "公司": "accountName",
	"标签": "tags", "城市": "address.city"}

// encoded returns text in enc.
func encoded(t *testing.T, text string, enc transform.Transformer) []byte {
	t.Helper()
	b, _, err := transform.Bytes(enc, []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// contactByEmail returns the live contact u may see with email.
func (e *env) contactByEmail(u user, email string) customer.Contact {
	e.t.Helper()
	f := url.QueryEscape(fmt.Sprintf(`{"field":"emails","op":"eq","value":%q}`, email))
	found := items[customer.Contact](e.want(e.do(u, "GET", "/v1/contacts?filter="+f, nil), http.StatusOK))
	if len(found) != 1 {
		e.t.Fatalf("%d contacts with %s, want 1", len(found), email)
	}
	return found[0]
}

// TestImportReadsEachEncoding imports files with Chinese names in UTF-8,
// UTF-8 with a byte order mark, UTF-16 LE and BE with one, and GB18030, as
// the test writes them, through the API: each is detected and every name,
// tag, city and account comes through as written; each contact and the
// end of each import are published, as their schemas say.
func TestImportReadsEachEncoding(t *testing.T) {
	e := newImportEnv(t, 1)
	u := newUser(uuid.NewString())
	account := e.created(u, "/v1/accounts", map[string]any{"name": "华为", "domain": "huawei.com"})
	files := []struct {
		name, tag, encoding string
		data                []byte
	}{
		{"utf-8", "utf8", "utf-8", []byte(chineseFile("utf8"))},
		{"utf-8 with a byte order mark", "utf8bom", "utf-8", append([]byte("\uFEFF"), chineseFile("utf8bom")...)},
		{"utf-16 le", "utf16le", "utf-16le", encoded(t, chineseFile("utf16le"), unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder())},
		{"utf-16 be", "utf16be", "utf-16be", encoded(t, chineseFile("utf16be"), unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewEncoder())},
		{"gb18030", "gb18030", "gb18030", encoded(t, chineseFile("gb18030"), simplifiedchinese.GB18030.NewEncoder())},
	}
	for _, f := range files {
		t.Run(f.name, func(t *testing.T) {
			started := e.startImport(u, map[string]any{"mapping": chineseMapping}, f.data)
			if started.Encoding != f.encoding || started.Delimiter != "," || !slices.Equal(started.Header, []string{"姓", "名", "邮箱", "电话", "公司", "标签", "城市"}) {
				t.Errorf("read as %s, delimiter %q, header %q", started.Encoding, started.Delimiter, started.Header)
			}
			im := e.importDone(u, started.ID)
			if im.State != importjob.StateCompleted || counts(im) != [5]int64{3, 3, 0, 0, 0} || im.Progress != 1 {
				t.Fatalf("import %+v, want completed with 3 rows created", im)
			}
			c := e.contactByEmail(u, "zhang.wei."+f.tag+"@example.cn")
			if c.FirstName != "伟" || c.LastName != "张" || c.Address == nil || c.Address.City != "北京" || orEmpty(c.AccountID) != account ||
				!slices.Equal(c.Tags, []string{"VIP", "新客户"}) || len(c.Phones) != 1 || !strings.HasPrefix(c.Phones[0].E164, "+86138001380") {
				t.Errorf("imported %+v", c)
			}
			if c := e.contactByEmail(u, "li.na."+f.tag+"@example.cn"); c.DisplayName == "" || c.Address.City != "广州" || c.AccountID != nil {
				t.Errorf("imported %+v", c)
			}
		})
	}
	types, _ := e.outboxEvents()
	created, completed := 0, 0
	for _, typ := range types {
		switch typ {
		case customer.Events.Type(customer.EntityContact, customer.VerbCreated):
			created++
		case customer.Events.Type(customer.EventImport, customer.VerbCompleted):
			completed++
		}
	}
	if created != 3*len(files) || completed != len(files) {
		t.Errorf("%d contact.created and %d import.completed published, want %d and %d", created, completed, 3*len(files), len(files))
	}
	validateEvents(t, e)
}

// TestImportNamedEncoding imports a windows-1252 file, which detection
// refuses, with its encoding named.
func TestImportNamedEncoding(t *testing.T) {
	e := newImportEnv(t, 1)
	u := newUser(uuid.NewString())
	file := encoded(t, "Name;Email\nJürgen Müller;j@x.de\nSöhne Straße;s@x.de\n", charmap.Windows1252.NewEncoder())
	im := e.importDone(u, e.startImport(u, map[string]any{"mapping": map[string]string{"Name": "displayName", "Email": "emails"},
		"encoding": "Windows-1252"}, file).ID)
	if im.Encoding != "windows-1252" || im.Delimiter != ";" || counts(im) != [5]int64{2, 2, 0, 0, 0} {
		t.Fatalf("import %+v, want 2 rows of windows-1252 created", im)
	}
	if c := e.contactByEmail(u, "s@x.de"); c.DisplayName != "Söhne Straße" {
		t.Errorf("imported %q", c.DisplayName)
	}
}

// TestImportPreview previews a file in UTF-16: its encoding, delimiter,
// header, first rows, a mapping suggested from the header's names (the
// custom field's label among them), and the fields a column may fill, which
// are api/openapi.yaml's ImportField.
func TestImportPreview(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	e.created(u, "/v1/custom-fields", map[string]any{"entity": "contact", "key": "wechat", "label": "WeChat ID", "type": "text"})
	file := "First Name\tLast Name\tE-Mail\tWeChat ID\tNotes\r\n"
	for i := range 12 {
		file += fmt.Sprintf("名%d\t姓\tp%d@x.cn\twx%d\tn\r\n", i, i, i)
	}
	body, ct := upload(t, nil, encoded(t, file, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder()))
	p := contracttest.Decode[importjob.Preview](e.want(e.do(u, "POST", "/v1/imports/preview", body, "Content-Type", ct), http.StatusOK))
	want := importjob.Mapping{"First Name": "firstName", "Last Name": "lastName", "E-Mail": "emails", "WeChat ID": "customFields.wechat"}
	if p.Encoding != "utf-16le" || p.Delimiter != "\t" || len(p.Header) != 5 || len(p.Rows) != 10 || p.Rows[3][0] != "名3" || !maps.Equal(p.SuggestedMapping, want) {
		t.Errorf("preview %+v, want utf-16le, tab, 5 columns, 10 rows and mapping %v", p, want)
	}
	doc, err := contacts.OpenAPI(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var fields []string
	for _, v := range doc.Components.Schemas["ImportField"].Value.AnyOf[0].Value.Enum {
		if s, _ := v.(string); s != "" {
			fields = append(fields, s)
		}
	}
	if !slices.Equal(append(fields, "customFields.wechat"), p.Fields) {
		t.Errorf("the preview's fields are %q; api/openapi.yaml's ImportField lists %q", p.Fields, fields)
	}
}
