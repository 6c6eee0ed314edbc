*! version 1.0.0  SIMULATED Stata's pause.ado: like Stata's, it reads the console with _request(),
*! which waits forever in a headless Stata (here: until a break).
program define pause
	version 14
	if `"`0'"' == "on" {
		global S_pause "on"
		exit
	}
	if `"`0'"' == "off" {
		global S_pause ""
		exit
	}
	if "$S_pause" != "on" {
		exit
	}
	display as text `"pause:  `0'"'
	display as text "-> . " _request(_pause_cmd)
end
