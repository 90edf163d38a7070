package server

// routes lists every route the server answers. Handlers are built here, once.
func (s *Server) routes() {
	r := s.router
	r.Use(s.observe(), s.recoverPanics())
	r.NoRoute(s.noRoute())
	r.NoMethod(s.noMethod())

	// operations
	r.GET("/healthz", s.handleHealthz())
	r.GET("/readyz", s.handleReadyz())
	r.GET("/metrics", s.handleMetrics())
	r.GET("/static/style.css", s.handleStyle())

	api := r.Group("/api/v1", noStore())
	api.GET("/openapi.json", s.handleOpenAPI())

	// device API (sync/doc.go)
	api.POST("/device/pair", s.handlePair())
	api.POST("/device/push", s.deviceAuth(), s.handlePush())
	api.GET("/device/pull", s.deviceAuth(), s.handlePull())

	// admin API: the admin token or an admin account
	admin := api.Group("/admin", s.adminAuth())
	admin.POST("/officers", s.handleOfficerCreate())
	admin.GET("/officers", s.handleOfficerList())
	admin.GET("/officers/:id/devices", s.handleDeviceList())
	admin.GET("/officers/:id/summary", s.handleSummary())
	admin.GET("/officers/:id/feedback", s.handleOfficerFeedback())
	admin.POST("/pairing-codes", s.handlePairingCodeCreate())
	admin.POST("/devices/:id/revoke", s.handleDeviceRevoke())
	admin.POST("/accounts", s.handleAccountCreate())
	admin.GET("/content", s.handleContentList())
	admin.POST("/content", s.handleContentPublish())
	admin.GET("/audit", s.handleAudit())
	admin.GET("/backup", s.handleBackup())
	admin.GET("/contact-requests", s.handleContactList())
	admin.POST("/contact-requests/:id/handled", s.handleContactHandled())

	// victim pages: the feedback URL printed in every QR code
	victim := r.Group("/F/:token", noStore())
	victim.GET("", s.handleFeedbackPage())
	victim.HEAD("", s.handleFeedbackPage())
	victim.POST("", s.handleFeedbackSubmit())
	victim.GET("/thanks", s.handleThanks())
	victim.GET("/leaflet.pdf", s.handleLeafletPDF())
	victim.GET("/contact", s.handleContactPage())
	victim.POST("/contact", s.handleContactSubmit())
	victim.GET("/contact/sent", s.handleContactSent())

	// trainer dashboard and sign-in (dashboard.go)
	s.dashboardRoutes()
}
