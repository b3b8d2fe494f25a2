// The policy room's public face: the policy file, the access decisions, the tool wrappers that apply
// them to a turn, and the limits on a question.
export { DEFAULT_POLICY, DIRECT_MESSAGES, type Conversation, type Limits, type Policy, type ServerRule } from './types.js';
export { loadPolicyFile, parsePolicyFile, policyLocation, POLICY_FILE_NAME, type LoadedPolicy, type PolicyLocation } from './policy-file.js';
export { mayApprove, mayUse, needsApproval, serverAllowed, toolsFor, type Decision } from './access.js';
export { isDestructive, isReadOnly } from './annotations.js';
export { seesServerErrors, seesSpend, visibleCatalog } from './doors.js';
export { filteredTools } from './tools.js';
export { approvalGate, type ApprovalContext, type ApprovalDecision, type ApprovalGateOptions, type ApprovalRequest, type Approver } from './approval.js';
export { cappedResults, capContent } from './cap.js';
export { policyTools, policyTurnOptions, type PolicyTurnDeps } from './turn.js';
export { checkMessageLength, turnDeadline, TurnTimeLimitError, type LengthCheck, type TurnDeadline } from './limits.js';
export { personLimits, type Admission, type Asker, type PersonLimits, type Slots } from './person-limits.js';
