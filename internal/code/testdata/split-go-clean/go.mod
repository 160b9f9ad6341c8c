module example.test/split

go 1.22
