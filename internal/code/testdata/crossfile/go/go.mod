module example.test/vendorapi

go 1.22
