# Which Rasa credentials file serves the channels the practice switches on. Sourced.
# REST and the web chat are always on (credentials.yml); with SMS configured (TWILIO_ACCOUNT_SID
# set) credentials.sms.yml runs all three in one instance.
credentials_file() {
  if [ -n "${TWILIO_ACCOUNT_SID:-}" ]; then echo credentials.sms.yml; else echo credentials.yml; fi
}
