module github.com/rapport-crm/rapport/bench

go 1.26.0
