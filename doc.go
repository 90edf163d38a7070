// Package doorstep holds the domain of Doorstep: officers, their paired devices,
// the feedback codes (issuances) a device hands to victims, the feedback victims
// give, and the storage contract every backend fulfils.
//
// It imports only the standard library. Implementations live in sub-packages, one
// per dependency: bolt (storage), qrcode (tokens and QR images), leaflet (PDFs),
// sync (the device protocol), server (HTTP), mobile-api (the on-device library).
package doorstep
