#include "ailake/version.h"

namespace ailake {

#define AILAKE_STR2(x) #x
#define AILAKE_STR(x) AILAKE_STR2(x)

const char* Version() {
  return AILAKE_STR(AILAKE_VERSION_MAJOR) "." AILAKE_STR(AILAKE_VERSION_MINOR) "." AILAKE_STR(AILAKE_VERSION_PATCH);
}

}  // namespace ailake
