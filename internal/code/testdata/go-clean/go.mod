module example.test/reporting

go 1.26
