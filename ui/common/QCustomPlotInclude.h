#pragma once

// qcustomplot.h uses Qt's 'signals' and 'slots' keywords, which QT_NO_KEYWORDS (needed for libtorch) removes:
// map them for this header only.
#define signals Q_SIGNALS
#define slots Q_SLOTS
#define emit Q_EMIT
#define foreach Q_FOREACH
#include <qcustomplot.h>
#undef signals
#undef slots
#undef emit
#undef foreach
