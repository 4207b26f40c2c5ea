module github.com/rapport-crm/rapport/chaos

go 1.26.0

require github.com/rapport-crm/rapport/libs v0.0.0

replace github.com/rapport-crm/rapport/libs => ../libs
