module github.com/rapport-crm/rapport/deploy/local

go 1.26.0
