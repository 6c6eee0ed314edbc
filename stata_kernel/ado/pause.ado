*! pause.ado, stata-live's: a kernel has no console to pause at, so pause reports itself and goes on.
*! stata-live puts this directory first on the adopath at start-up (see docs/real-stata.md). Stata's own
*! pause reads the console with _request(), which waits forever in a headless Stata.
program define pause
	version 14
	if `"`0'"' == "on" {
		global STLIVE_pause "on"
		exit
	}
	if `"`0'"' == "off" {
		global STLIVE_pause ""
		exit
	}
	if "$STLIVE_pause" != "on" {
		exit
	}
	display as text `"pause: `0'"'
	display as text "(stata-live: a kernel has no console to pause at; execution continues)"
end
