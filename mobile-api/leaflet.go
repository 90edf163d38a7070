package mobileapi

import doorstep "github.com/doorstep-project/doorstep"

// leafletCache is replaced by the real one once package leaflet lands.
type leafletCache struct{}

func (c *leafletCache) check(cv *doorstep.ContentVersion) error { return nil }
