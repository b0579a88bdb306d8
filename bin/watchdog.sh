#!/bin/sh
# The reloader's watchdog (src/reloader/watchdog.ts starts it): `watchdog.sh TICKS`, fed "+<group>" and
# "-<group>" lines by gwi runserver's supervisor. When its input ends (the supervisor stopped, or died
# however it died), each group still listed gets TICKS tenths of a second to exit, then SIGKILL: a server
# process stuck in an endless loop never sees its supervisor go.
groups=' '
while read -r line; do
  case $line in
    +*) groups="$groups${line#+} " ;;
    -*) g=${line#-}; case $groups in *" $g "*) groups="${groups%% $g *} ${groups#* $g }" ;; esac ;;
  esac
done
i=0
while :; do
  alive=
  for g in $groups; do kill -0 -"$g" 2>/dev/null && alive=1; done
  [ -z "$alive" ] && exit 0
  [ "$i" -ge "$1" ] && break
  sleep 0.1
  i=$((i + 1))
done
for g in $groups; do kill -9 -"$g" 2>/dev/null; done
