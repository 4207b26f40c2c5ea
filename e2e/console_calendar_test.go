package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/rapport-crm/rapport/e2e/browser"
	"github.com/rapport-crm/rapport/e2e/stack"
)

// activity is the part of an activity the calendar test reads.
type activity struct {
	ID      string `json:"id"`
	Subject string `json:"subject"`
	Meeting *struct {
		StartAt time.Time `json:"startAt"`
		EndAt   time.Time `json:"endAt"`
	} `json:"meeting"`
	Task *struct {
		DueAt  time.Time `json:"dueAt"`
		Status string    `json:"status"`
	} `json:"task"`
}

// TestConsoleCalendar walks the calendar and home in Chromium against the
// real stack: a task planned by clicking a slot of the week view shows on
// home, as does the user's open opportunity in the chart by stage; a meeting
// dragged to another day of the week moves there (its length kept, through
// PATCH with If-Match) and shows across its 90 minutes; the task completed
// from home leaves it. Axe checks the week, the month, the open tasks and
// home, and home and the calendar (a day's list) fit a 375 px phone, where a
// task is moved to the next day with the keyboard alone through the list's
// "Move…" action.
func TestConsoleCalendar(t *testing.T) {
	s := stack.Start(t, bins)
	tn := s.CreateTenant(t, "console-calendar")
	u := s.Invite(t, tn, "rep@console-calendar.test", []string{"sales_rep"})

	// The browser runs in this machine's time zone, as the test does.
	now := time.Now()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.Local)
	other := today.AddDate(0, 0, 1) // another day of the same week (Monday to Sunday)
	if today.Weekday() == time.Sunday {
		other = today.AddDate(0, 0, -1)
	}
	start := today.Add(10 * time.Hour)
	var meeting activity
	stack.Must(t, stack.Request{Method: http.MethodPost, URL: s.GatewayURL + "/v1/activities", Token: u.Token, Body: map[string]any{
		"type": "meeting", "subject": "Kick-off 启动会",
		"meeting": map[string]any{"startAt": start.Format(time.RFC3339), "endAt": start.Add(90 * time.Minute).Format(time.RFC3339)},
	}}, http.StatusCreated, &meeting)

	stack.Must(t, stack.Request{Method: http.MethodPost, URL: s.GatewayURL + "/v1/opportunities", Token: u.Token, Body: map[string]any{"name": "Renewal 续约"}}, http.StatusCreated, nil)
	var quote activity
	stack.Must(t, stack.Request{Method: http.MethodPost, URL: s.GatewayURL + "/v1/activities", Token: u.Token, Body: map[string]any{
		"type": "task", "subject": "Send the 报价", "task": map[string]any{"dueAt": today.Add(11 * time.Hour).Format(time.RFC3339)},
	}}, http.StatusCreated, &quote)

	p := signIn(t, s, tn, u, desktop)
	p.Go(s.GatewayURL + "/calendar")
	p.WaitTestID("page-calendar")
	item := fmt.Sprintf(`[data-testid="cal-item"][data-id=%q]`, meeting.ID)
	p.Wait(slot(start) + " " + item)
	p.Axe("calendar: week")

	// Plan a task by clicking an empty slot.
	due := today.Add(15 * time.Hour)
	p.Click(slot(due))
	p.WaitTestID("activity-form")
	p.Fill("#activity_subject", "Call 张伟 back")
	p.Click(browser.TestID("activity-save"))
	p.Wait(slot(due) + ` [data-testid="cal-item"]`)
	var tasks struct {
		Items []activity `json:"items"`
	}
	stack.Must(t, stack.Request{Method: http.MethodGet, URL: s.GatewayURL + "/v1/activities/my-tasks", Token: u.Token}, http.StatusOK, &tasks)
	var task activity
	for _, a := range tasks.Items {
		if a.ID != quote.ID {
			task = a
		}
	}
	if len(tasks.Items) != 2 || task.Subject != "Call 张伟 back" || task.Task == nil || !task.Task.DueAt.Equal(due) {
		t.Fatalf("after planning a task in the %s slot my open tasks are %+v", due.Format("Mon 15:04"), tasks.Items)
	}

	// Drag the meeting to another day of the week, at the same hour.
	var dropped bool
	p.Eval(fmt.Sprintf(dragJS, jsQuote(item), jsQuote(slot(other.Add(10*time.Hour)))), &dropped)
	if !dropped {
		t.Fatal("the drag found no meeting or no slot")
	}
	p.Wait(slot(other.Add(10*time.Hour)) + " " + item)
	var moved activity
	stack.Must(t, stack.Request{Method: http.MethodGet, URL: s.GatewayURL + "/v1/activities/" + meeting.ID, Token: u.Token}, http.StatusOK, &moved)
	if want := other.Add(10 * time.Hour); moved.Meeting == nil || !moved.Meeting.StartAt.Equal(want) || moved.Meeting.EndAt.Sub(moved.Meeting.StartAt) != 90*time.Minute {
		t.Errorf("the dragged meeting is %+v, want %s for 90 minutes", moved.Meeting, want)
	}
	var rows float64 // the meeting's height in hours of the grid
	p.Eval(fmt.Sprintf(`document.querySelector(%s).getBoundingClientRect().height / document.querySelector(%s).getBoundingClientRect().height`, jsQuote(item), jsQuote(slot(today))), &rows)
	if rows < 1.4 || rows > 1.6 {
		t.Errorf("the 90 minute meeting is %.2f hours of the week grid high", rows)
	}

	p.WaitGone(`.ant-modal-wrap:not([style*="display: none"])`) // the create form's dialog has left, its leaving mask catching clicks
	p.Click(browser.TestID("cal-view-month"))
	p.WaitTestID("cal-month")
	p.Wait(fmt.Sprintf(`[data-testid="cal-day"][data-day=%q] %s`, other.Format("2006-01-02"), item))
	p.Axe("calendar: month")

	// Move the meeting to 14:00 through its details' "Move…".
	p.Click(fmt.Sprintf(`[data-testid="cal-day"][data-day=%q] %s`, other.Format("2006-01-02"), item))
	p.Click(browser.TestID("activity-move"))
	p.WaitTestID("cal-move-form")
	p.Fill("#move_start", other.Add(14*time.Hour).Format("2006-01-02 15:04"))
	press(t, p, "#move_start", kb.Tab)
	p.Click(browser.TestID("cal-move-save"))
	p.WaitGone(browser.TestID("cal-move-form"))
	stack.Must(t, stack.Request{Method: http.MethodGet, URL: s.GatewayURL + "/v1/activities/" + meeting.ID, Token: u.Token}, http.StatusOK, &moved)
	if want := other.Add(14 * time.Hour); moved.Meeting == nil || !moved.Meeting.StartAt.Equal(want) || moved.Meeting.EndAt.Sub(moved.Meeting.StartAt) != 90*time.Minute {
		t.Errorf("the meeting moved from its details is %+v, want %s for 90 minutes", moved.Meeting, want)
	}

	p.Go(s.GatewayURL + "/tasks")
	p.WaitTestID("page-tasks")
	p.Wait(`[data-testid="page-tasks"] [data-testid="row"]`)
	if got := p.Text(`[data-testid="page-tasks"]`); !strings.Contains(got, "Call 张伟 back") || !strings.Contains(got, "Send the 报价") {
		t.Errorf("the open tasks show %q", got)
	}
	p.Axe("tasks")

	// Home shows the task and today's meetings; complete the task there.
	p.Go(s.GatewayURL + "/")
	homeTask := fmt.Sprintf(`[data-testid="home-my-tasks"] [data-testid="home-task"][data-id=%q]`, task.ID)
	p.Wait(homeTask)
	if got := p.Text(homeTask); !strings.Contains(got, "Call 张伟 back") {
		t.Errorf("home shows the task as %q", got)
	}
	p.WaitTestID("home-stage-chart")
	var chart string
	p.Eval(`document.querySelector('[data-testid="home-stage-chart"]').getAttribute("aria-label")`, &chart)
	if !strings.HasSuffix(chart, ": 1") {
		t.Errorf("home's chart of my open opportunities by stage reads %q, want one opportunity in its stage", chart)
	}
	p.Axe("home")
	p.Click(homeTask + ` [data-testid="home-task-complete"]`)
	p.WaitGone(homeTask)
	var done activity
	stack.Must(t, stack.Request{Method: http.MethodGet, URL: s.GatewayURL + "/v1/activities/" + task.ID, Token: u.Token}, http.StatusOK, &done)
	if done.Task == nil || done.Task.Status != "completed" {
		t.Errorf("the task completed from home is %+v", done.Task)
	}

	t.Run("phone", func(t *testing.T) {
		q := signIn(t, s, tn, u, phone)
		q.WaitTestID("page-home")
		q.WaitTestID("home-my-tasks")
		checkFits(t, q, "home")
		q.Axe("home on a phone")
		q.Go(s.GatewayURL + "/calendar")
		q.WaitTestID("page-calendar")
		q.Wait(`[data-testid="cal-day-list"], .ant-empty`)
		checkFits(t, q, "the calendar")
		q.Axe("calendar on a phone")

		// Move the quote's task to tomorrow 09:30 with the keyboard alone.
		row := fmt.Sprintf(`[data-testid="cal-item"][data-id=%q]`, quote.ID)
		to := today.AddDate(0, 0, 1).Add(9*time.Hour + 30*time.Minute)
		press(t, q, row+` [data-testid="cal-move"]`, kb.Enter)
		q.WaitTestID("cal-move-form")
		q.Fill("#move_start", to.Format("2006-01-02 15:04"))
		press(t, q, "#move_start", kb.Tab)
		q.Axe("calendar on a phone: move")
		press(t, q, browser.TestID("cal-move-save"), kb.Enter)
		q.WaitGone(row)
		q.WaitGone(browser.TestID("cal-move-form")) // the dialog and its mask have left
		q.Click(browser.TestID("cal-next"))
		q.Wait(row)
		if got := q.Text(row); !strings.Contains(got, "Send the 报价") || !strings.Contains(got, "09:30") {
			t.Errorf("tomorrow's list shows the moved task as %q", got)
		}
		var movedTask activity
		stack.Must(t, stack.Request{Method: http.MethodGet, URL: s.GatewayURL + "/v1/activities/" + quote.ID, Token: u.Token}, http.StatusOK, &movedTask)
		if movedTask.Task == nil || !movedTask.Task.DueAt.Equal(to) {
			t.Errorf("the task moved with the keyboard is %+v, want due %s", movedTask.Task, to)
		}
		checkFits(t, q, "tomorrow's calendar")
		q.Axe("calendar on a phone: tomorrow")
	})
}

// slot is the selector of the week view's slot of the hour at.
func slot(at time.Time) string {
	return fmt.Sprintf(`[data-testid="cal-slot"][data-slot=%q]`, at.Format("2006-01-02T15:00"))
}

// dragJS drags the element of the first selector onto that of the second
// with the HTML drag events a mouse drag fires, carrying one DataTransfer.
const dragJS = `(() => {
	const from = document.querySelector(%s), to = document.querySelector(%s);
	if (!from || !to) return false;
	const dataTransfer = new DataTransfer();
	const fire = (el, type) => el.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer }));
	fire(from, "dragstart");
	fire(to, "dragenter");
	fire(to, "dragover");
	fire(to, "drop");
	fire(from, "dragend");
	return true;
})()`

// press focuses the element matching selector and presses key, as a
// keyboard user does.
func press(t *testing.T, p *browser.Page, selector, key string) {
	t.Helper()
	p.Wait(selector)
	ctx, cancel := context.WithTimeout(p.Context(), browser.Timeout)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Focus(chromedp.CSS(selector))); err != nil {
		t.Fatalf("focus %s: %v", selector, err)
	}
	if _, err := chromedp.Run(ctx, chromedp.KeyEvent(key)); err != nil {
		t.Fatalf("press %q on %s: %v", key, selector, err)
	}
}

// jsQuote is s as a JavaScript string literal.
func jsQuote(s string) string {
	return fmt.Sprintf("%q", s)
}

// checkFits fails when the page is wider than its viewport.
func checkFits(t *testing.T, p *browser.Page, what string) {
	t.Helper()
	var overflow bool
	p.Eval(`document.documentElement.scrollWidth > innerWidth`, &overflow)
	if overflow {
		t.Errorf("%s is wider than a 375 px phone", what)
	}
}
