import { z } from 'zod';
import { defineSection } from '../config-section.js';
import { DEAL_FIELD_CODE_MAX, checkFields, fieldSchema } from './common.js';

/** Deal card user fields (crm.deal.userfield.*); FIELD_NAME is `UF_CRM_<code>`. */
export const dealFieldsSection = defineSection({
  schema: z.array(fieldSchema(DEAL_FIELD_CODE_MAX)).describe('User fields of the deal card'),
  check: (fields, ctx) => checkFields(fields, [], ctx),
});
